"""Lint rules over Grafana JSON models, the exclusions file, running lint over JSON files, the
report. Imports grafana, query and sdk."""
