"""Running every query of a dashboard against live datasources, and the report. Imports grafana,
query, sdk and clients; never publish or importer."""
