"""The README's first dashboard is real code: it compiles, builds, lints, writes its alert
rule, and its checks work."""
from __future__ import annotations

import re

from conftest import ROOT

from dashkit import Dashboard, compile_dashboard


def test_readme_example_compiles():
    source = re.search(r"```python\n(from dashkit import \(Alert, Catalog, Dashboard.*?)```",
                       (ROOT / "README.md").read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(source, "README.md", "exec"), namespace)
    model = compile_dashboard(namespace["dashboard"])
    assert isinstance(namespace["dashboard"], Dashboard)
    assert [p["title"] for p in model["panels"]][:2] == ["Orders (range)", "Checkout"]
    assert model["templating"]["list"][0]["name"] == "datasource"


def test_the_writing_a_dashboard_section_end_to_end(tmp_path):
    """The README's example as a user would take it: a module in a dashboards folder, built,
    linted and listed by the CLI; then the typo the section promises to catch, caught at its line."""
    from click.testing import CliRunner

    from dashkit.cli import main

    source = re.search(r"```python\n(from dashkit import \(Alert, Catalog, Dashboard.*?)```",
                       (ROOT / "README.md").read_text(), re.S).group(1)
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "shop.py").write_text(source)
    built = CliRunner().invoke(main, ["build", "--dashboards", str(folder), "--out", str(tmp_path / "out"),
                                      "--rules-out", str(tmp_path / "rules")])
    assert built.exit_code == 0, built.output
    rules = (tmp_path / "rules" / "alerts.yml").read_text()
    assert "alert: SlowCheckout" in rules and "viewPanel=" in rules
    assert (tmp_path / "out" / "dashboards" / "shop-orders.json").exists()
    linted = CliRunner().invoke(main, ["lint", "--dashboards", str(folder)])
    assert linted.exit_code == 0, linted.output
    listed = CliRunner().invoke(main, ["list", "--dashboards", str(folder)])
    assert "shop-orders" in listed.stdout and "Shop - Orders" in listed.stdout
    typo = source.replace('promql.rate_sum("orders_total"', 'promql.rate_sum("order_total"')
    assert typo != source
    (folder / "shop.py").write_text(typo)
    lines = typo.splitlines()
    query = next(i for i, text in enumerate(lines, 1) if '"order_total"' in text)
    call = max(i for i, text in enumerate(lines[:query], 1) if "panels." in text)
    failed = CliRunner().invoke(main, ["build", "--dashboards", str(folder), "--out", str(tmp_path / "o2")])
    assert failed.exit_code == 1
    assert "unknown metric 'order_total'; did you mean 'orders_total'?" in failed.stderr
    assert f"shop.py:{call}, dashboard 'shop-orders', panel 'Orders by status'" in failed.stderr, \
        failed.stderr  # the builder call that made the panel
