"""``dashkit pull``: edits made in Grafana's editor written back into the Python that built them."""
