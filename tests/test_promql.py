from __future__ import annotations

import pytest

from dashkit import DashkitError
from dashkit import promql as q
from dashkit.query.catalog import Catalog, Metric
from dashkit.query.promql import validate

CATALOG = Catalog("t", [Metric.counter("http_requests_total", ["service", "status_code", "route"]),
                        Metric.histogram("http_request_duration_seconds", ["service", "route"]),
                        Metric.gauge("http_requests_active", ["service"])])


def test_selector_quotes_and_escapes():
    assert q.sel("m", where={"a": "x", "b": q.re("5.."), "c": q.ne('say "hi"')}).text == \
        'm{a="x", b=~"5..", c!="say \\"hi\\""}'
    assert q.sel("m").text == "m"


def test_variables_match_with_regex_for_multi_value():
    assert q.sel("m", where={"service": q.var("service")}).text == 'm{service=~"$service"}'


def test_any_label_name_can_be_matched_even_an_option_name():
    # matchers are a mapping, so labels called like the helpers' options are still labels
    expr = q.rate_sum("m", ["by"], where={"window": "5m", "by": "x", "series": "y"}, window="1m")
    assert expr.text == 'sum by (by) (rate(m{window="5m", by="x", series="y"}[1m]))'
    assert {ref.labels for ref in expr.refs} == {frozenset({"window", "by", "series"})}
    assert q.quantile(0.5, "h", where={"window": "w"}, window="2m").text == (
        'histogram_quantile(0.5, sum by (le) (rate(h_bucket{window="w"}[2m])))')


def test_rate_uses_grafana_rate_interval():
    assert q.rate(q.sel("http_requests_total")).text == \
        "rate(http_requests_total[$__rate_interval])"


def test_rate_sum_by_labels():
    expr = q.rate_sum("http_requests_total", ["service"], where={"status_code": q.re("5..")})
    assert expr.text == ('sum by (service) (rate(http_requests_total{status_code=~"5.."}'
                         '[$__rate_interval]))')


def test_quantile_always_aggregates_by_le():
    expr = q.quantile(0.95, "http_request_duration_seconds", ["service"])
    assert expr.text == ("histogram_quantile(0.95, sum by (le, service) "
                         "(rate(http_request_duration_seconds_bucket[$__rate_interval])))")
    assert "sum by (le) (" in q.quantile(0.5, "http_request_duration_seconds").text


def test_quantile_range_is_checked():
    with pytest.raises(DashkitError):
        q.quantile(95, "http_request_duration_seconds")


def test_ratio_parenthesises_only_compound_operands():
    a = q.rate_sum("http_requests_total", where={"status_code": "500"})
    b = q.rate_sum("http_requests_total")
    assert (a / b).text == f"{a.text} / {b.text}"
    assert (1 - a / b).text == f"1 - ({a.text} / {b.text})"
    assert (a * 100).text == f"{a.text} * 100"


def test_or_vector_zero():
    expr = q.count(q.sel("http_requests_active")).or_(q.vector(0))
    assert expr.text == "count(http_requests_active) or vector(0)"


def test_check_accepts_correct_queries():
    validate(q.rate_sum("http_requests_total", ["service"], where={"status_code": q.re("5..")}), CATALOG)
    validate(q.quantile(0.9, "http_request_duration_seconds", ["route"]), CATALOG)


@pytest.mark.parametrize("expr,message", [
    (q.rate_sum("http_request_total"), "unknown metric 'http_request_total'"),
    (q.rate_sum("http_requests_total", where={"status": q.re("5..")}), "has no label 'status'"),
    (q.rate_sum("http_requests_total", ["svc"]), "has no label 'svc'"),
    (q.rate(q.sel("http_requests_active")), "only counters can be rated"),
    (q.quantile(0.9, "http_requests_total"),
     "histogram_quantile over 'http_requests_total', which is a counter, not a histogram"),
    (q.quantile(0.9, "http_request_duraton_seconds"), "unknown metric 'http_request_duraton_seconds_bucket'"
     "; did you mean 'http_request_duration_seconds_bucket'?"),
    (q.sel("http_request_duration_seconds_bucket"), "only meaningful inside histogram_quantile"),
    (q.quantile(0.9, "http_request_duration_seconds", ["method"]), "has no label 'method'"),
])
def test_check_rejects_mistakes(expr, message):
    with pytest.raises(DashkitError, match=message):
        validate(expr, CATALOG)


def test_rate_takes_a_selector_only():
    with pytest.raises(DashkitError, match="takes one selector"):
        q.rate(q.sum_(q.sel("x")))


def test_a_label_string_given_for_a_list_says_what_to_write():
    for call in (lambda: q.rate_sum("http_requests_total", "route"),
                 lambda: q.quantile(0.9, "http_request_duration_seconds", "route"),
                 lambda: q.sum_(q.sel("up"), by="route")):
        with pytest.raises(DashkitError, match=r'by takes a list of label names: by=\["route"\], '
                                               r"not the string 'route'"):
            call()
