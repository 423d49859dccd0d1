"""Every copy of the layer map agrees with ``dashkit.layers``: each layer package's docstring,
the map drawn in docs/project/architecture.md (between its markers) and the stack in the
README (its one ``text`` block that starts with the foundation). When one fails, the
message holds the text to paste (the map changed, or the copy was edited by hand)."""
from __future__ import annotations

import ast
import re
import textwrap

import pytest
from conftest import PACKAGE, ROOT

from dashkit.layers import FOUNDATION, LAYERS

BEGIN, END = "<!-- layer map: begin -->\n", "<!-- layer map: end -->\n"


def imports_sentence(names: tuple[str, ...]) -> str:
    """The sentence a layer's docstring states its imports in."""
    if not names:
        return "Imports no other layer."
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Imports {listed}."


def _entry(label: str, text: str) -> list[str]:
    return textwrap.wrap(text, 100, initial_indent=f"  {label:<13} ", subsequent_indent=" " * 16)


def drawn_map() -> str:
    """The map as docs/project/architecture.md draws it."""
    lines = ["```", "src/dashkit/", "  the foundation: every layer may import it; it imports no layer"]
    for name, purpose in FOUNDATION.items():
        lines += _entry(f"{name}.py", purpose)
    lines.append("  the layers, from the bottom up: each imports only the layers it names")
    for name, layer in LAYERS.items():
        label = f"{name}/" if (PACKAGE / name).is_dir() else f"{name}.py"
        lines += _entry(label, layer.purpose)
        lines += textwrap.wrap("imports: " + (", ".join(layer.imports) or "no other layer"), 100,
                               initial_indent=" " * 16, subsequent_indent=" " * 25)
    return "\n".join([*lines, "```"]) + "\n"


def stack() -> str:
    """The README's short map: the layers in tiers from the bottom up, a tier importing only
    tiers before it (a layer's tier is one above the highest it imports)."""
    tiers: dict[str, int] = {}
    for name, layer in LAYERS.items():
        tiers[name] = 1 + max((tiers[other] for other in layer.imports), default=0)
    grouped = [" ".join(n for n in LAYERS if tiers[n] == t) for t in range(1, max(tiers.values()) + 1)]
    return "```text\n" + " < ".join(["foundation", *grouped]) + "\n```\n"


def _between_markers(path: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1, f"{path} marks its layer map once"
    return text[text.index(BEGIN) + len(BEGIN):text.index(END)]


@pytest.mark.parametrize("name", [n for n in LAYERS if (PACKAGE / n).is_dir()])
def test_each_layer_package_says_what_it_is_for_and_imports_as_the_map_does(name):
    docstring = " ".join((ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
                          or "").split())  # its lines as one
    purpose = LAYERS[name].purpose
    assert docstring.startswith(purpose[0].upper() + purpose[1:]), (name, purpose)
    stated = [s for s in docstring.split(". ") if s.startswith("Imports ")]
    assert [s.rstrip(".") + "." for s in stated] == [imports_sentence(LAYERS[name].imports)], docstring


def test_every_package_of_the_source_tree_is_in_the_map():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == {n for n in LAYERS if (PACKAGE / n).is_dir()}


def test_the_architecture_page_draws_the_map():
    assert _between_markers("docs/project/architecture.md") == drawn_map(), drawn_map()


def test_the_readme_shows_the_stack_of_layers():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"^```text\nfoundation <.*?^```\n", readme, re.S | re.M)
    assert shown == [stack()], stack()


def test_the_imports_sentence_is_english():
    """Written by hand: the sentence the docstrings hold for none, one and several layers."""
    assert imports_sentence(()) == "Imports no other layer."
    assert imports_sentence(("cli",)) == "Imports cli."
    assert imports_sentence(("grafana", "query")) == "Imports grafana and query."
    assert imports_sentence(("grafana", "query", "sdk")) == "Imports grafana, query and sdk."
