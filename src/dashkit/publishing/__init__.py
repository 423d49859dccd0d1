"""Publishing compiled dashboards through Grafana's HTTP API. Imports grafana, project and clients."""
