"""The thin command line: parses arguments, calls the library, prints. Nothing imports it.

``main`` (the ``dashkit`` command, its entry point) is the group of ``group.py``; importing this
package registers every command module on it. Imports grafana, query, lint, project, clients,
check, publishing, importer, preview and pull."""
from dashkit.cli import fleet, local, preview, pull, remote  # noqa: F401  (each registers its commands)
from dashkit.cli.group import main

__all__ = ["main"]
