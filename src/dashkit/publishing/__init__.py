"""Publishing compiled dashboards through Grafana's HTTP API. Imports grafana, sdk, build and clients; never check or importer."""
