"""A variable's default, the dashboard's own fields, a panel's description and overrides: the
SDK's ``default=`` compiled as Grafana saves a variable's value, and ``dashkit pull`` of a default,
the time range, the refresh, the description and the tags, a panel's description and an
override's property edited through the Grafana API stand-in's save API (a test double, not
Grafana) on a copy of the EasyMO project; tests/test_pull.py has the rest of a panel. Each module
after the pull is its original text with exactly the lines written here by hand."""
from __future__ import annotations

import both_apis
import pytest
from conftest import PROJECT_UIDS
from test_publish import publish
from test_pull import Model, live_differences, panel, project, published, pull, replaced, texts, ui_edit

from dashkit import Datasource, variable_ref, variables
from dashkit.errors import DashkitError

api, way = both_apis.api, both_apis.way
PROM = variable_ref("prometheus", "datasource")


def variable(model: Model, name: str) -> Model:
    found = [v for v in model["templating"]["list"] if v["name"] == name]
    assert len(found) == 1, name
    return found[0]


def current(value: str | list[str], text: str | list[str] | None = None) -> dict[str, object]:
    """``current`` as the dashboard's save writes it (sceneVariablesSetToVariables in Grafana's
    public/app/features/dashboard-scene/serialization: ``{value, text}``, nothing else)."""
    return {"value": value, "text": value if text is None else text}


# --- the SDK's default= -----------------------------------------------------------------------

def test_a_default_compiles_to_current_as_grafana_saves_each_kind_of_variable():
    # sceneVariablesSetToVariables: a query or datasource variable saves current {text, value} and
    # no options (refresh is not "never"); a custom or interval one keeps every option, each
    # selected when it is the value (variableValueOptionsToVariableOptions; the interval branch)
    one = variables.query("service", "up", PROM, default="api").to_json_data()
    assert (one["current"], one["options"]) == ({"text": "api", "value": "api"}, [])
    several = variables.multi("job", "up", PROM, default=["api", "web"]).to_json_data()
    assert several["current"] == {"text": ["api", "web"], "value": ["api", "web"]}
    every = variables.multi("job", "up", PROM, default=variables.ALL).to_json_data()
    assert every["current"] == {"text": "All", "value": "$__all"}  # ALL_VARIABLE_TEXT/_VALUE
    env = variables.custom("env", ["dev", "prod"], default="prod").to_json_data()
    assert (env["current"], env["options"]) == ({"text": "prod", "value": "prod"}, [
        {"selected": False, "text": "dev", "value": "dev"},
        {"selected": True, "text": "prod", "value": "prod"}])
    step = variables.interval("step", ["1m", "5m"], default="5m").to_json_data()
    assert (step["current"], step["options"]) == ({"text": "5m", "value": "5m"}, [
        {"selected": False, "text": "1m", "value": "1m"},
        {"selected": True, "text": "5m", "value": "5m"}])
    prometheus = Datasource("Prometheus", "prometheus", "prom-uid", "http://prometheus:9090")
    picker = variables.datasource("ds", "prometheus", default=prometheus).to_json_data()
    assert (picker["current"], picker["options"]) == ({"text": "Prometheus", "value": "prom-uid"}, [])
    # without a default nothing changes: no current, options empty (the snapshots hold the rest)
    plain = variables.custom("env", ["dev", "prod"]).to_json_data()
    assert "current" not in plain and plain["options"] == []


@pytest.mark.parametrize(("build", "message"), [
    (lambda: variables.query("service", "up", PROM, default=["a", "b"]),
     "variable $service: default is a list but the variable is not multi-value"),
    (lambda: variables.custom("env", ["dev", "prod"], default="test"),
     "variable $env: default 'test' is not one of its values ['dev', 'prod']"),
    (lambda: variables.multi("job", "up", PROM, default=[3]),
     "variable $job: default must be text or a list of text, not 3"),
    (lambda: variables.custom("env", ["dev", "prod"], default=variables.ALL),
     "variable $env: default is All but the variable has no All option (include_all=True)"),
])
def test_a_default_the_variable_cannot_have_is_an_error_at_its_call(build, message):
    with pytest.raises(DashkitError) as caught:
        build()
    assert caught.value.message == message
    # named at the builder call: the line the call is written on
    assert caught.value.file == f"tests/test_pull_board.py:{build.__code__.co_firstlineno}"


# --- pull -------------------------------------------------------------------------------------

def no_op_publish(api, way, folder) -> None:
    again = publish(api, *way, project=folder)
    assert again.exit_code == 0 and f"{len(PROJECT_UIDS)} unchanged" in again.output, again.output
    assert "0 writes" in again.output


def test_a_variables_default_chosen_in_grafana_is_written_into_the_call_that_made_it(
        api, tmp_path, way):
    folder, before = published(api, tmp_path, *way)
    ui_edit(api, "easymo-business-metrics", lambda model: variable(model, "service_type").update(
        current=current(["ride", "moto"])))
    ui_edit(api, "easymo-infrastructure", lambda model: variable(model, "node").update(
        current=current("$__all", "All")))
    ui_edit(api, "easymo-service-health", lambda model: variable(model, "instance").update(
        current=current(["agent-core:3000"])))  # made in easymo.py, for this dashboard alone

    result = pull(api, folder, *way)

    assert result.exit_code == 0, result.output
    assert "  variable 'service_type' default: None -> ['ride', 'moto']\n" in result.output
    after = texts(folder)
    assert after == {**before, "business_metrics.py": replaced(
        before["business_metrics.py"],
        ('"service_type", "ride_requests_total"), e.PROM, label="Ride type")],',
         '"service_type", "ride_requests_total"), e.PROM, label="Ride type", default=["ride", "moto"])],')),
        "infrastructure.py": replaced(
        before["infrastructure.py"],
        ('e.PROM, label="Host")],', 'e.PROM, label="Host", default="$__all")],')),
        "easymo.py": replaced(
        before["easymo.py"],
        ('    label="Instance", multi=True, include_all=True)\n',
         '    label="Instance", multi=True, include_all=True, default=["agent-core:3000"])\n'))}
    assert live_differences(api, folder, way) == {}
    no_op_publish(api, way, folder)

    # chosen again: the default written the first time is the literal rewritten
    ui_edit(api, "easymo-business-metrics", lambda model: variable(model, "service_type").update(
        current=current(["ride"])))
    assert pull(api, folder, *way).exit_code == 0
    assert texts(folder) == {**after, "business_metrics.py": replaced(
        after["business_metrics.py"], ('default=["ride", "moto"]', 'default=["ride"]'))}
    assert live_differences(api, folder, way) == {}

    # All, which the UI saves as one value, not a list: the list becomes that text
    ui_edit(api, "easymo-business-metrics", lambda model: variable(model, "service_type").update(
        current=current("$__all", "All")))
    assert pull(api, folder, *way).exit_code == 0
    assert texts(folder) == {**after, "business_metrics.py": replaced(
        after["business_metrics.py"], ('default=["ride", "moto"]', 'default="$__all"'))}
    assert live_differences(api, folder, way) == {}
    no_op_publish(api, way, folder)


def test_the_dashboards_time_range_refresh_description_and_tags_are_pulled(api, tmp_path, way):
    folder, before = published(api, tmp_path, *way)
    ui_edit(api, "easymo-business-metrics", lambda model: model.update(
        time={"from": "now-7d", "to": "now"}, refresh="30s"))
    ui_edit(api, "easymo-error-tracking", lambda model: model.update(  # no refresh= in its call
        refresh="10s", tags=["easymo", "errors", "payments"]))
    ui_edit(api, "easymo-service-health", lambda model: model.update(description="One service."))

    result = pull(api, folder, *way)

    assert result.exit_code == 0, result.output
    assert ("easymo-business-metrics:\n"
            "  dashboard time.from: 'now-24h' -> 'now-7d'\n"
            "  dashboard refresh: '5m' -> '30s'\n") in result.output
    assert "  dashboard tags: ['errors'] -> ['errors', 'payments']\n" in result.output
    assert texts(folder) == {**before, "business_metrics.py": replaced(
        before["business_metrics.py"],
        ('    time=("now-24h", "now"),\n    refresh="5m",\n',
         '    time=("now-7d", "now"),\n    refresh="30s",\n')),
        "error_tracking.py": replaced(
        before["error_tracking.py"],
        ('    tags=["errors"],\n', '    tags=["errors", "payments"],\n'),
        ('        Row("Business failures", [payment_failures, whatsapp_failures]),\n    ],\n)\n',
         '        Row("Business failures", [payment_failures, whatsapp_failures]),\n    ],\n'
         '    refresh="10s",\n)\n')),
        "service_health.py": replaced(
        before["service_health.py"],
        ('    description="Traffic, errors, latency, runtime and database health of one service.",\n',
         '    description="One service.",\n'))}
    assert live_differences(api, folder, way) == {}
    no_op_publish(api, way, folder)


def test_a_shared_variable_a_shown_text_and_a_helpers_own_tags_are_named_not_written(
        api, tmp_path):
    folder, before = published(api, tmp_path)

    def errors(model: Model) -> None:
        variable(model, "service")["current"] = current("$__all", "All")  # service_variable()'s
        model["tags"] = ["monitoring", "errors"]  # "easymo" is make_dashboard's own
    ui_edit(api, "easymo-error-tracking", errors)
    ui_edit(api, "easymo-system-overview", lambda model: variable(model, "datasource").update(
        current=current("prometheus", "Prometheus")))  # made once for every dashboard
    ui_edit(api, "easymo-business-metrics", lambda model: variable(model, "service_type").update(
        current=current(["ride"], ["Rides"])))  # a text other than the value: no default= has it

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1, result.output
    line = next(number for number, text in enumerate(before["easymo.py"].splitlines(), 1)
                if 'return variables.multi("service", services' in text)
    assert ("  not pulled: variable 'service' default: None -> '$__all': built by the call at "
            f"easymo.py:{line}:16, which builds 2 variables\n") in result.output, result.output
    assert ("  not pulled: dashboard 'easymo-error-tracking' tags: ['easymo', 'errors'] -> "
            "['monitoring', 'errors']: ['easymo'] added by error_tracking.py:51:13, not its tags=\n"
            ) in result.output
    line = next(number for number, text in enumerate(before["easymo.py"].splitlines(), 1)
                if text.startswith("datasource_variable = "))
    assert ("  not pulled: variable 'datasource' default: None -> 'prometheus': built by the call at "
            f"easymo.py:{line}:23, which builds {len(PROJECT_UIDS)} variables\n") in result.output
    assert ("  not pulled: variable 'service_type' default: None -> ['ride']: Grafana shows it as "
            "['Rides']: default= shows the value itself\n") in result.output
    assert "  still differs after the pull: ~ dashboard tags: " in result.output
    assert texts(folder) == before


OVERRIDE = ('unit="reqps", legend="{{service}} {{route}}", alert=a.HIGH_ERROR_RATE)\n',
            'unit="reqps", legend="{{service}} {{route}}", alert=a.HIGH_ERROR_RATE,\n'
            '    overrides=[panels.override("checkout", {"custom.lineWidth": 2, "displayName": "Checkout"}),\n'
            '               panels.override("wallet", {"color": panels.fixed_color("red")})])\n')


def test_a_panels_description_and_an_overrides_property_are_pulled(api, tmp_path, way):
    folder = project(tmp_path)
    module = folder / "error_tracking.py"
    module.write_text(replaced(module.read_text(encoding="utf-8"), OVERRIDE), encoding="utf-8")
    assert publish(api, *way, project=folder).exit_code == 0
    before = texts(folder)

    def errors(model: Model) -> None:
        properties = panel(model, "5xx per second by route")["fieldConfig"]["overrides"][0]["properties"]
        properties[0]["value"], properties[1]["value"] = 3, "Checkout 5xx"
        panel(model, "Failed payments /s by method")["description"] = "Card and wallet failures."
    ui_edit(api, "easymo-error-tracking", errors)
    ui_edit(api, "easymo-service-health", lambda model: panel(model, "GC time by kind").update(
        description="GC seconds per second."))

    result = pull(api, folder, *way)

    assert result.exit_code == 0, result.output
    assert "  panel '5xx per second by route' override 0 custom.lineWidth: 2 -> 3\n" in result.output
    assert texts(folder) == {**before, "error_tracking.py": replaced(
        before["error_tracking.py"],
        ('{"custom.lineWidth": 2, "displayName": "Checkout"}',
         '{"custom.lineWidth": 3, "displayName": "Checkout 5xx"}'),
        ('    unit="ops", legend="{{payment_method}}", alert=a.HIGH_PAYMENT_FAILURES, w=12)\n',
         '    unit="ops", legend="{{payment_method}}", alert=a.HIGH_PAYMENT_FAILURES, w=12,\n'
         '    description="Card and wallet failures.")\n')),
        "service_health.py": replaced(
        before["service_health.py"],
        ('    description="Seconds spent in garbage collection per second.", w=8)\n',
         '    description="GC seconds per second.", w=8)\n'))}
    assert live_differences(api, folder, way) == {}
    no_op_publish(api, way, folder)


def test_an_override_whose_value_is_computed_or_that_was_added_is_named_not_written(api, tmp_path):
    folder = project(tmp_path)
    module = folder / "error_tracking.py"
    module.write_text(replaced(module.read_text(encoding="utf-8"), OVERRIDE), encoding="utf-8")
    publish(api, project=folder)
    before = texts(folder)

    def errors(model: Model) -> None:
        overrides = panel(model, "5xx per second by route")["fieldConfig"]["overrides"]
        overrides[1]["properties"][0]["value"] = {"mode": "fixed", "fixedColor": "orange"}
        panel(model, "Failed payments /s by method")["fieldConfig"]["overrides"] = [
            {"matcher": {"id": "byName", "options": "card"}, "properties": [{"id": "unit", "value": "none"}]}]
    ui_edit(api, "easymo-error-tracking", errors)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1, result.output
    line = next(number for number, text in enumerate(before["error_tracking.py"].splitlines(), 1)
                if 'panels.override("wallet"' in text)
    assert ("  not pulled: panel '5xx per second by route' override 1 color: {'mode': 'fixed', "
            "'fixedColor': 'red'} -> {'mode': 'fixed', 'fixedColor': 'orange'}: computed at "
            f"error_tracking.py:{line}:16\n") in result.output, result.output
    assert ("  not pulled: panel 'Failed payments /s by method' overrides: [] -> [{'matcher': {'id': "
            "'byName', 'options': 'card'}, 'proper...: not an edit of a property's value in override()\n"
            ) in result.output
    assert texts(folder) == before
