"""The documentation: the site builds with no warning (``mkdocs build --strict``: a broken link,
a missing page or an API name that no longer exists fails), every Python example of the README
and the docs runs as written, and the README is the short page a new user reads first."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
EXAMPLE = re.compile(r"```python\n(.*?)```", re.S)


def examples() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in EXAMPLE.finditer(text):
            line = text.count("\n", 0, match.start(1)) + 1
            found.append((str(page.relative_to(ROOT)), line, match.group(1)))
    return found


EXAMPLES = examples()


def test_the_site_builds_strictly(tmp_path):
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                            str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                           timeout=600, check=False)
    assert built.returncode == 0, built.stderr[-3000:]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "dashkit-grafana" in home  # the README is the home page
    rules = (tmp_path / "site" / "reference" / "lint-rules" / "index.html").read_text(encoding="utf-8")
    from dashkit.lint.findings import RULES

    assert all(f"<code>{rule}</code>" in rules for rule in RULES)
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert "compile_project" in api and "golden_signals" in api


@pytest.mark.parametrize("page, line, source", EXAMPLES,
                         ids=[f"{page}:{line}" for page, line, _ in EXAMPLES])
def test_every_python_example_runs(page, line, source, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT / "dashboards"))
    code = compile("\n" * (line - 1) + source, str(ROOT / page), "exec")
    exec(code, {"__name__": f"example_{Path(page).stem}"})


def test_the_readme_is_short_and_opens_with_the_pictures():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    pictures = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+\.png)\)", readme)
    assert len(pictures) == 5
    first = readme.index("![")
    assert readme.count("\n", 0, first) < 20 and "\n## " not in readme[:first]
    for picture in pictures:
        assert (ROOT / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture


def test_every_link_of_the_readme_reaches_a_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#]+)\)", readme) if "://" not in t]
    assert targets and all((ROOT / t).exists() for t in targets), \
        [t for t in targets if not (ROOT / t).exists()]



def test_the_readme_s_rule_excerpt_is_what_the_build_writes():
    """The SLO excerpt in the README is cut from the rule file the build writes (its snapshot)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n# build/prometheus/rules/alerts\.yml[^\n]*\n(.*?)```", readme,
                      re.S).group(1)
    record, alert = block.split("  - alert: ")
    rules = (ROOT / "snapshots" / "prometheus-rules.yaml").read_text(encoding="utf-8")
    assert record in rules and f"  - alert: {alert}" in rules
