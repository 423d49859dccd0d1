"""What engineers write dashboards with: datasources, layout, panels, variables, composites,
Dashboard, and the compiler to Grafana JSON. Imports grafana and query."""
