"""SLOs: the rules, alerts and promtool tests one objective becomes. Expected values are the
Google SRE workbook's (chapter "Alerting on SLOs", table 5-8: 2% of a 30-day budget in 1h and
5% in 6h page, 10% in 1d and in 3d open a ticket), written out by hand."""
from __future__ import annotations

import pytest

from dashkit import compile_dashboard, promql
from dashkit.errors import DashkitError
from dashkit.query.catalog import Catalog, Metric
from dashkit.sdk.slo import SLO, Events, Latency, check_slos, slo_row, slo_rule_tests

AVAILABILITY = SLO(service="pay", name="availability", objective=0.999,
                   sli=Events(counter="http_requests_total",
                              bad={"status_code": promql.re("5..")}))
LATENCY = SLO(service="pay", name="latency", objective=0.99,
              sli=Latency(histogram="http_request_duration_seconds", threshold=0.5))
CATALOG = Catalog("t", [Metric.counter("http_requests_total", ["service", "status_code"]),
                        Metric.histogram("http_request_duration_seconds", ["service"], buckets=(0.1, 0.5, 1))])


def test_the_error_ratio_is_recorded_over_every_window_the_alerts_read():
    rules = [r.rule() for r in AVAILABILITY.recording_rules()]
    assert [r["labels"]["window"] for r in rules] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    assert {r["record"] for r in rules} == {"slo:error_ratio"}
    assert rules[2] == {
        "record": "slo:error_ratio",
        "expr": '(sum by (service) (rate(http_requests_total{service="pay", status_code=~"5.."}[1h]))'
                ' or (sum by (service) (rate(http_requests_total{service="pay"}[1h])) * 0))'
                ' / sum by (service) (rate(http_requests_total{service="pay"}[1h]))',
        "labels": {"slo": "pay-availability", "window": "1h"}}


def test_a_latency_sli_counts_the_requests_above_a_bucket_bound():
    rule = LATENCY.recording_rules()[0].rule()
    assert rule["expr"] == (
        '(sum by (service) (rate(http_request_duration_seconds_count{service="pay"}[5m]))'
        ' - sum by (service) (rate(http_request_duration_seconds_bucket{service="pay", le="0.5"}[5m])))'
        ' / sum by (service) (rate(http_request_duration_seconds_count{service="pay"}[5m]))')


@pytest.mark.parametrize("index, name, windows, limit, severity", [
    (0, "PayAvailabilityBudgetBurn1h", "1h|5m", "0.0144", "critical"),
    (1, "PayAvailabilityBudgetBurn6h", "6h|30m", "0.006", "critical"),
    (2, "PayAvailabilityBudgetBurn1d", "1d|2h", "0.003", "warning"),
    (3, "PayAvailabilityBudgetBurn3d", "3d|6h", "0.001", "warning"),
])
def test_the_multiwindow_multi_burn_rate_alerts(index, name, windows, limit, severity):
    alert = AVAILABILITY.alerts()[index]
    assert alert.name == name and alert.severity == severity and alert.for_ == "0s"
    assert alert.expr == (f'min by (slo, service) (slo:error_ratio{{slo="pay-availability", '
                          f'window=~"{windows}"}}) > {limit}')


def test_the_page_alert_says_how_much_budget_goes():
    assert AVAILABILITY.alerts()[0].description == (
        "pay burns its availability budget 14.4 times faster than 30d allows over both 1h and "
        "5m: at this rate, 2% of the budget goes in 1h.")


def test_every_alert_has_a_case_that_fires_it_and_one_that_does_not():
    tests = slo_rule_tests(AVAILABILITY, good={"status_code": "200"}, bad={"status_code": "500"})
    assert [(t.alert, bool(t.fires)) for t in tests] == [
        (a.name, fires) for a in AVAILABILITY.alerts() for fires in (True, False)]
    page = tests[0]
    # 1.2 x 14.4 x 0.1%: 1.728% of 10,000 events a minute fail
    assert page.series == {'http_requests_total{service="pay", status_code="200"}': "0+9827.2x90",
                           'http_requests_total{service="pay", status_code="500"}': "0+172.8x90"}
    assert page.interval == "1m" and page.at == "75m"


def test_the_generated_cases_pass_in_promtool_and_traffic_within_the_objective_is_silent():
    """The real promtool over the rules of two SLOs: every generated case passes, and half the
    budget's error rate for three days fires none of the four alerts."""
    import shutil

    from dashkit.project.rule_tests import run_rule_tests
    from dashkit.sdk.alerts import RuleTest

    if shutil.which("promtool") is None:
        from conftest import unavailable

        unavailable("promtool missing (Debian's prometheus)")
    groups = [g for slo in (AVAILABILITY, LATENCY) for g in slo.rule_groups()]
    tests = [t for slo in (AVAILABILITY, LATENCY)
             for t in slo_rule_tests(slo, good={"status_code": "200"}, bad={"status_code": "500"})]
    quiet = {'http_requests_total{service="pay", status_code="200"}': "0+9995x80",
             'http_requests_total{service="pay", status_code="500"}': "0+5x80"}  # 0.05%
    tests += [RuleTest(name=f"half the budget: {a.name} silent", alert=a.name, at="73h",
                       interval="1h", series=quiet) for a in AVAILABILITY.alerts()]
    passed, output = run_rule_tests(groups, tests, [])
    assert passed, output
    assert output.count("SUCCESS") >= 1 and "FAILED" not in output


@pytest.mark.parametrize("make, message", [
    (lambda: SLO(service="p", name="a", objective=99.9, sli=AVAILABILITY.sli),
     "objective 99.9 is not a ratio between 0.5 and 1"),
    (lambda: SLO(service="p", name="a", objective=0.99, sli=AVAILABILITY.sli, window="1d"),
     "a window of 1d is shorter than the 3d"),
    (lambda: SLO(service="p", name="Avail ability", objective=0.99, sli=AVAILABILITY.sli),
     "lower-case letters, digits and '-' only"),
])
def test_an_impossible_slo_is_one_line(make, message):
    with pytest.raises(DashkitError, match=message):
        make()


def test_a_latency_threshold_must_be_a_bucket_bound_and_ids_unique():
    between = SLO(service="pay", name="fast", objective=0.99,
                  sli=Latency(histogram="http_request_duration_seconds", threshold=0.25))
    errors = [e.message for e in check_slos([between, AVAILABILITY, AVAILABILITY], CATALOG)]
    assert errors == [
        "SLO 'pay-availability' is defined twice",
        "SLO pay-fast: 0.25 s is not a bucket bound of http_request_duration_seconds (0.1, 0.5, "
        "1): the share of slower requests cannot be counted"]
    assert check_slos([LATENCY, AVAILABILITY], CATALOG) == []


def test_the_slo_row_shows_the_sli_against_the_objective_and_the_budget_left():
    from dashkit import Dashboard
    from dashkit.query.exporter_catalogs import PROMETHEUS
    from dashkit.sdk.slo import slo_catalog

    catalog = CATALOG + Catalog("prometheus", PROMETHEUS) + slo_catalog([AVAILABILITY])
    model = compile_dashboard(Dashboard(uid="slo", title="SLO", catalog=catalog,
                      panels=[slo_row(AVAILABILITY)]))
    row, sli, budget, burn, firing = model["panels"]
    assert row["title"] == "Availability: 99.900% over 30d"
    assert sli["targets"][0]["expr"] == '1 - max(slo:error_ratio{slo="pay-availability", window="30d"})'
    steps = sli["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [(s["value"], s["color"]) for s in steps] == [(None, "red"), (0.999, "green")]
    assert budget["targets"][0]["expr"] == (
        '1 - (max(slo:error_ratio{slo="pay-availability", window="30d"}) / 0.001)')
    assert burn["targets"][0]["expr"] == (
        'slo:error_ratio{slo="pay-availability", window=~"5m|30m|1h|2h|6h|1d|3d"} / 0.001')
    assert firing["targets"][0]["expr"] == (
        'count(ALERTS{alertstate="firing", slo="pay-availability"}) or vector(0)')
