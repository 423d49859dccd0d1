"""From a dashboards folder to provisioning files: the project loader, the build pipeline (compile,
lint, write atomically), provisioning YAML, rule files, alertmanager.yml, the scaffold. Imports
grafana, query, sdk and lint."""
