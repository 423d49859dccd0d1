"""Facts about Grafana and its JSON model: limits, the model walker, loading, migrating and
comparing JSON, the v2 schema, the grid's compaction. Imports no other layer."""
