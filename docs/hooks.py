"""mkdocs hook: pages generated from their one source, so they cannot drift from it. The home
page is the README (its ``docs/`` links made relative to the site); the lint rules reference is
read from lint's rule registry (the one that ``dashkit lint --rules`` prints)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

PLACEHOLDER = "<!-- generated: lint rules -->"
README_PLACEHOLDER = "<!-- generated: README -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def readme_page() -> str:
    return README.read_text(encoding="utf-8").replace("](docs/", "](")


def lint_rules_table() -> str:
    from dashkit.lint.findings import RULES

    rows = ["| rule | severity | why |", "|---|---|---|"]
    rows += [f"| `{rule.id}` | {rule.severity} | {rule.doc.replace('|', '&#124;')} |"
             for rule in sorted(RULES.values(), key=lambda r: r.id)]
    return "\n".join(rows)


def on_page_markdown(markdown: str, **_: Any) -> str:
    if README_PLACEHOLDER in markdown:
        markdown = markdown.replace(README_PLACEHOLDER, readme_page())
    if PLACEHOLDER in markdown:
        markdown = markdown.replace(PLACEHOLDER, lint_rules_table())
    return markdown
