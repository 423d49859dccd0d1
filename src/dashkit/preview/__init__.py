"""Offline previews: each dashboard drawn as Grafana lays it out, from a live Prometheus or
synthetic data, and served with live reload. Needs the ``preview`` extra (matplotlib,
watchfiles). Imports grafana, query, sdk, project, clients and check."""
