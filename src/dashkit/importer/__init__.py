"""Grafana JSON to dashkit Python modules, with the generated code checked before it runs. Imports
grafana, sdk, lint and project."""
