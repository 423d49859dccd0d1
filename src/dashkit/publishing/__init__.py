"""Publishing compiled dashboards through Grafana's HTTP API. Imports grafana, sdk, project and
clients; never check or importer."""
