"""The options several commands take are defined once (``dashkit.cli.group``) and read the same
in every command's ``--help``; the default folder is the library's one constant; the ``--org``
rule is the library's one check, which the CLI reports as a usage error."""
from __future__ import annotations

import ast
import re

import click
import pytest
from click.testing import CliRunner
from conftest import PACKAGE

from dashkit.cli import main
from dashkit.cli.fleet import APIS as CLI_APIS
from dashkit.errors import DashkitError
from dashkit.project.provisioning import DEFAULT_FOLDER, ProviderOptions
from dashkit.publishing.choices import APIS
from dashkit.publishing.publisher import FolderTarget
from dashkit.publishing.resources import check_org, choose_api
from dashkit.publishing.targets import load_targets

#: The options more than one command takes.
SHARED = ("--dashboards", "--deadline", "--folder", "--folder-uid", "--timeout", "--token-file",
          "--grafana-url", "--schema", "--prometheus-url", "--loki-url", "--ca-cert", "--insecure",
          "--api", "--org", "--verbose")
#: A command's option of a shared name that means something else, on purpose.
OWN_MEANING = {("import", "--folder")}  # the folder import fetches from, not the one dashboards go in
#: Where a command gives a shared option its own default (or requires it): the words stay the same.
OWN_DEFAULT = {("catalog", "--timeout"),  # catalog reads every series of a Prometheus
               ("preview", "--prometheus-url"), ("serve", "--prometheus-url")}  # synthetic data


def help_records() -> dict[str, dict[str, str]]:
    """Each shared option's line of ``--help``, by command."""
    found: dict[str, dict[str, str]] = {}
    for name, command in main.commands.items():
        context = click.Context(command, info_name=name)
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            option = next((o for o in param.opts if o in SHARED), None)
            record = param.get_help_record(context)
            if option is None or record is None or (name, option) in OWN_MEANING:
                continue
            text = " ".join(record)
            if option in {o for _, o in OWN_DEFAULT}:  # compared apart from their defaults
                text = re.sub(r"\s+\[(default|required)[^]]*\]$", "", text)
            found.setdefault(option, {})[name] = text
    return found


def test_each_shared_option_reads_the_same_in_every_command_that_takes_it():
    records = help_records()
    assert sorted(records) == sorted(SHARED)
    for option, by_command in records.items():
        assert len(by_command) >= 2, f"{option} is taken by {sorted(by_command)} only"
        readings = {}
        for command, text in by_command.items():
            readings.setdefault(text, []).append(command)
        assert len(readings) == 1, f"{option} reads differently: {readings}"


def test_the_readings_are_what_the_option_says():
    records = help_records()
    assert records["--folder"]["build"] == records["--folder"]["publish"] == (
        "--folder TEXT Grafana folder title; publish, diff and pull also take a path of them "
        "(Platform/Payments: nested).  [default: Dashkit]")
    assert set(records["--token-file"]) == {"import", "publish", "diff", "pull"}
    assert set(records["--schema"]) == {"build", "publish", "diff", "pull"}


def test_catalog_waits_longer_and_preview_needs_no_prometheus():
    catalog = CliRunner().invoke(main, ["catalog", "--help"]).output
    assert "[default: 30.0; x>=0.1]" in " ".join(catalog.split())
    preview = CliRunner().invoke(main, ["preview", "--help"]).output
    assert "Prometheus base URL. [default: (synthetic data)]" in " ".join(preview.split())
    check = CliRunner().invoke(main, ["check", "--help"]).output
    assert "Prometheus base URL. [required]" in " ".join(check.split())
    assert "--timeout FLOAT RANGE Seconds one HTTP request may take, whole. [default: 10.0; x>=0.1]" \
        in " ".join(check.split())


def test_the_default_folder_is_one_constant():
    assert DEFAULT_FOLDER == "Dashkit"
    assert ProviderOptions().folder == FolderTarget().folder == DEFAULT_FOLDER
    written = [str(path.relative_to(PACKAGE.parent.parent))
               for path in sorted(PACKAGE.rglob("*.py"))
               for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.Constant) and node.value == "Dashkit"]
    assert written == ["src/dashkit/project/provisioning.py"]


def test_the_cli_offers_the_ways_to_publish_the_library_knows():
    assert CLI_APIS is APIS and APIS == ("auto", "dashboards", "legacy")


def test_the_org_rule_is_checked_once_by_the_library():
    check_org(1, "legacy")
    check_org(2, "auto")
    with pytest.raises(DashkitError, match=r"^org 2 needs the dashboard API \(its namespace\), "
                                           r"not api legacy$"):
        check_org(2, "legacy")
    with pytest.raises(DashkitError, match="org 3 needs the dashboard API"):
        choose_api(None, "v1", 3, "legacy")  # type: ignore[arg-type]  # refused before any request


def test_the_cli_reports_the_librarys_org_error(tmp_path):
    result = CliRunner().invoke(main, ["publish", "--dashboards", str(tmp_path), "--grafana-url",
                                       "http://127.0.0.1:9", "--api", "legacy", "--org", "2"])
    assert result.exit_code == 2
    assert "--org 2 --api legacy: org 2 needs the dashboard API (its namespace), not api legacy" \
        in " ".join(result.output.split())


def test_a_target_reports_the_librarys_org_error(tmp_path):
    (tmp_path / "dashkit.toml").write_text(
        '[[targets]]\nname = "eu"\nurl = "http://127.0.0.1:9"\norg = 2\napi = "legacy"\n')
    with pytest.raises(DashkitError) as raised:
        load_targets(tmp_path)
    assert str(raised.value).endswith("[[targets]] #1 (eu): org 2 needs the dashboard API "
                                      "(its namespace), not api legacy")
