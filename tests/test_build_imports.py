"""``dashkit build`` imports what a build needs and no more: most of a small project's build is
Python importing modules, so what only other commands use is imported where they use it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Modules a v1 build of the EasyMO project never uses (publishing, pulling, importing,
#: previewing, reading Grafana JSON files, v2 resources, suggestions for a misspelt option), and
#: grafanalib's classes, which the builders' panels write without (``sdk/grafanalib_fields.py``),
#: and hashlib, which loads OpenSSL for a folder whose title is not plain.
NOT_FOR_BUILD = ("grafanalib.core", "hashlib", "requests", "matplotlib", "hypothesis", "dashkit.clients.http",
                 "dashkit.publishing.publisher", "dashkit.pull.puller", "dashkit.importer.generator",
                 "dashkit.preview.render", "dashkit.grafana.normalise", "dashkit.grafana.v2",
                 "dashkit.grafana.migrate", "difflib")

#: Runs the dashkit command its arguments give, then prints every module the process imported.
_PROBE = """
import sys
from dashkit.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
print("\\n".join(sorted(sys.modules)))
"""


def imported_by(tmp_path: Path, *command: str) -> set[str]:
    """The modules a process running ``dashkit COMMAND`` imported."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *command], capture_output=True,
                          text=True, check=True, cwd=tmp_path)
    return set(done.stdout.split("\n"))


def test_a_build_imports_none_of_what_other_commands_need(tmp_path: Path) -> None:
    imported = imported_by(tmp_path, "build", "--dashboards", str(ROOT / "dashboards"),
                           "--out", str(tmp_path / "grafana"), "--rules-out", str(tmp_path / "rules"),
                           "--alertmanager-out", str(tmp_path / "alertmanager"))
    assert (tmp_path / "grafana" / "dashboards" / "easymo-system-overview.json").is_file()
    assert "dashkit.sdk.compiler" in imported  # the probe saw the build's modules
    assert sorted(set(NOT_FOR_BUILD) & imported) == []


def test_an_import_of_files_imports_no_http_client(tmp_path: Path) -> None:
    """The --grafana-url option's check imports the HTTP client only when a URL is given."""
    source = tmp_path / "up.json"
    source.write_text('{"uid": "up", "title": "Up", "panels": []}', encoding="utf-8")
    imported = imported_by(tmp_path, "import", str(source), "--out", str(tmp_path / "out"))
    assert (tmp_path / "out" / "up.py").is_file() and "dashkit.importer.generator" in imported
    assert sorted({"requests", "dashkit.clients.http"} & imported) == []
