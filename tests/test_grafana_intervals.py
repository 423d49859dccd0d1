"""Grafana's arithmetic in ``dashkit check``: ``$__interval``, ``$__rate_interval`` and the range
macros, as Grafana's Prometheus backend (pkg/promlib) computes and writes them.

The expected values are Grafana's, written here by hand: its own test cases
(``TestCalculatePrometheusInterval`` in pkg/promlib/models/interval_test.go, ``TestParse`` in
pkg/promlib/models/query_test.go, each named below) and the table of ``gtime.RoundInterval``
(grafana-plugin-sdk-go backend/gtime/gtime.go). A query with no ``maxDataPoints`` is asked at
1500 points there (intervalv2's DefaultRes); the same resolution is given here.
"""
from __future__ import annotations

import re

import pytest

from dashkit.query.expand import TimeContext, expand, round_interval

HOUR, DAY = 3600, 86400
DEFAULT_RES = 1500

#: gtime.RoundInterval, read off its switch: "up to (inclusive) -> step", in Grafana's own
#: comments' units.
GTIME_ROUND_INTERVAL = """
    10ms 1ms | 15ms 10ms | 35ms 20ms | 75ms 50ms | 150ms 100ms | 350ms 200ms | 750ms 500ms
    1.5s 1s | 3.5s 2s | 7.5s 5s | 12.5s 10s | 17.5s 15s | 25s 20s | 45s 30s
    1.5m 1m | 3.5m 2m | 7.5m 5m | 12.5m 10m | 17.5m 15m | 25m 20m | 45m 30m
    1.5h 1h | 2.5h 2h | 4.5h 3h | 9h 6h | 24h 12h | 48h 24h | 168h 24h | 504h 168h
"""
_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(ms|s|m|h)", text).groups()  # type: ignore[union-attr]
    return float(number) * _MS[unit]


STEPS = [tuple(map(ms, pair.split())) for pair in GTIME_ROUND_INTERVAL.replace("\n", "|").split("|")
         if pair.strip()]


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[f"{int(b)}ms" for b, _ in STEPS])
def test_the_step_is_rounded_as_gtime_round_interval(index):
    """Each bound belongs to the step below it (``<=``), the next millisecond to the next."""
    bound, step = STEPS[index]
    assert round_interval(bound) == step
    following = STEPS[index + 1][1] if index + 1 < len(STEPS) else 2_592_000_000  # 30d
    assert round_interval(bound + 1) == following


def test_the_last_steps_of_gtime_round_interval():
    """Below six weeks (3628800000 ms, exclusive) 30 days; from six weeks on, a year."""
    assert round_interval(3_628_799_999) == 2_592_000_000
    assert round_interval(3_628_800_000) == 31_536_000_000


@pytest.mark.parametrize("name,range_s,points,scrape,step", [
    # TestCalculatePrometheusInterval (a query with no min step and no intervalMs)
    ("without step parameter", 1 * HOUR, DEFAULT_RES, 15, 15),
    ("with step parameter", 12 * HOUR, DEFAULT_RES, 15, 30),
    ("with low intervalFactor", 48 * HOUR, DEFAULT_RES, 15, 120),
    ("with specified scrape-interval in data source", 48 * HOUR, DEFAULT_RES, 240, 240),
    ("with very short time range", 60, DEFAULT_RES, 15, 15),
    ("with very long time range", 30 * DAY, DEFAULT_RES, 15, 1800),
    ("with very small MaxDataPoints", 1 * HOUR, 10, 15, 300),
    ("when safeInterval is larger than calculatedInterval", 1 * HOUR, 10000, 15, 15),
    # calculatePrometheusInterval's safe interval: never more than safeResolution (11000)
    # points, here 30d / 11000 = 235.6s, which gtime.RoundInterval makes 5m
    ("safe resolution of 11000 points", 30 * DAY, 100_000, 15, 300),
])
def test_the_interval_is_grafanas_step(name, range_s, points, scrape, step):
    assert TimeContext(range_s, points, scrape).interval_seconds == step


def test_rate_interval_is_the_interval_plus_a_scrape_and_at_least_four_scrapes():
    """calculateRateInterval: max(interval + scrape, 4 x scrape). TestCalculatePrometheusInterval
    "minStep is $__rate_interval and ds scrape interval 30s and time range 1 hour" (interval 30s:
    4 scrapes, 2m) and "... 2 days" (interval 2m: 2m + 30s)."""
    assert TimeContext(1 * HOUR, 12384, 30).rate_interval_seconds == 120
    assert TimeContext(48 * HOUR, DEFAULT_RES, 30).interval_seconds == 120
    assert TimeContext(48 * HOUR, DEFAULT_RES, 30).rate_interval_seconds == 150


def grafana(expr: str, context: TimeContext) -> str:
    return expand(expr, {}, context.macros())


ALERTS = 'rate(ALERTS{job="test" [%s]})'


@pytest.mark.parametrize("name,range_s,scrape,macro,expected", [
    # TestParse, 48h at 15s: the step is 2m
    ("parsing query model with $__interval variable", 48 * HOUR, 15, "$__interval", "2m"),
    ("parsing query model with ${__interval} variable", 48 * HOUR, 15, "${__interval}", "2m"),
    ("parsing query model with $__interval_ms variable", 48 * HOUR, 15, "$__interval_ms",
     "120000"),
    ("parsing query model with $__range variable", 48 * HOUR, 15, "$__range", "172800s"),
    ("parsing query model with $__range_s variable", 48 * HOUR, 15, "$__range_s", "172800"),
    ("parsing query model with $__range_ms variable", 48 * HOUR, 15, "$__range_ms", "172800000"),
    ("parsing query model with $__range_s variable below 0.5s", 0.04, 15, "$__range_s", "0"),
    ("parsing query model with $__range_s variable between 1-0.5s", 0.8, 15, "$__range_s", "1"),
    ("parsing query model with $__range_ms variable below 1s", 0.02, 15, "$__range_ms", "20"),
    # 48h with an interval of 2m at 15s: 2m + 15s, written by Go's Duration.String()
    ("parsing query model with $__rate_interval_s and $__rate_interval variable", 48 * HOUR, 15,
     "$__rate_interval", "2m15s"),
    ("parsing query model with $__rate_interval_ms variable", 48 * HOUR, 15,
     "$__rate_interval_ms", "135000"),
    # a min step of 5m over 5 minutes: calculateRateInterval takes it for the scrape: 4 x 5m
    ("parsing query model with $__rate_interval variable", 5 * 60, 300, "$__rate_interval",
     "20m0s"),
])
def test_macros_are_written_as_grafanas_backend_writes_them(name, range_s, scrape, macro,
                                                             expected):
    context = TimeContext(range_s, DEFAULT_RES, scrape)
    assert grafana(ALERTS % macro, context) == ALERTS % expected


def test_an_interval_is_written_in_its_largest_whole_unit():
    """gtime.FormatInterval: 90s (a 90s scrape interval) is written 1m, as Grafana writes it;
    and a rate interval of an hour as Go writes it, 1h0m0s."""
    context = TimeContext(1 * HOUR, DEFAULT_RES, 90)
    assert context.macros()["__interval"] == "1m"
    assert context.macros()["__interval_ms"] == "90000"
    assert TimeContext(1 * HOUR, DEFAULT_RES, 900).macros()["__rate_interval"] == "1h0m0s"
