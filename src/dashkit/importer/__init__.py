"""Grafana JSON to dashkit Python modules, with the generated code checked before it runs. Imports
grafana, query, sdk and project; never check or publish."""
