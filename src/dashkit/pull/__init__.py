"""Edits made in Grafana's editor written back into the Python that built them (``dashkit pull``).
Imports grafana, sdk, project, clients, publishing and importer."""
