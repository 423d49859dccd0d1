"""HTTP clients of Grafana, Prometheus and Loki over one bounded HTTP base. Imports no other layer."""
