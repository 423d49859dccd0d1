"""The query languages: PromQL and LogQL builders, their analysis and macro expansion, and the
metric catalogs queries are checked against. Imports grafana."""
