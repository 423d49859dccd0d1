"""The README's example is real code: it compiles, and its checks work."""
from __future__ import annotations

import re

from dashkit import Dashboard

from conftest import ROOT


def test_readme_example_compiles():
    source = re.search(r"```python\n(from dashkit import Dashboard.*?)```",
                       (ROOT / "README.md").read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(source, "README.md", "exec"), namespace)
    model = namespace["dashboard"].to_model()
    assert isinstance(namespace["dashboard"], Dashboard)
    assert [p["title"] for p in model["panels"]][:2] == ["Orders (range)", "Checkout"]
    assert model["templating"]["list"][0]["name"] == "datasource"
