"""Offline previews: each dashboard drawn as Grafana lays it out, from a live Prometheus or from
synthetic data (``dashkit preview``), and served with live reload (``dashkit serve``). Needs the
``preview`` extra (matplotlib, watchfiles). Imports grafana, query, project, clients and check."""
