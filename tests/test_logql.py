from __future__ import annotations

import pytest

from dashkit import DashkitError, logql
from dashkit.query.promql import var

LABELS = ("service", "level", "container", "stream", "job")


def test_error_filter_matches_pino_numbers_and_names():
    query = logql.stream({"service": var("service")}, labels=LABELS).errors()
    assert query.text == ('{service=~"$service"} | json | level=~"(?i)50|60|error|fatal" '
                          'or level_extracted=~"(?i)50|60|error|fatal"')


def test_errors_does_not_parse_twice():
    assert logql.stream({"service": "a"}, labels=LABELS).parse_json().errors().text.count("| json") == 1


def test_high_cardinality_stream_label_is_refused():
    with pytest.raises(DashkitError, match="high-cardinality label 'trace_id'"):
        logql.stream({"trace_id": "abc"})


def test_unknown_stream_label_is_refused():
    with pytest.raises(DashkitError, match="'app' is not a stream label"):
        logql.stream({"app": "x"}, labels=LABELS)


def test_a_selector_is_required():
    with pytest.raises(DashkitError, match="at least one stream matcher"):
        logql.stream({}, labels=LABELS)


def test_count_over_time_by_service():
    query = logql.stream({"service": "a"}, labels=LABELS).errors()
    assert logql.count_over_time(query, by=["service"]) == \
        f"sum by (service) (count_over_time({query.text} [$__interval]))"
