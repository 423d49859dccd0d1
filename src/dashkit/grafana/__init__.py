"""Facts about Grafana and its JSON model: limits, the model walker, loading and migrating JSON,
comparing models. Imports only errors and text."""
