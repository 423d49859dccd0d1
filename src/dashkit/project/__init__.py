"""From a dashboards folder to provisioning files: the project loader, provisioning YAML, the build
pipeline (compile, lint, write atomically). Imports grafana, query, sdk and lint."""
