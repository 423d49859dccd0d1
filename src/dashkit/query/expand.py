"""Grafana's variable and ``$__…`` macro expansion, so queries can be parsed and run outside it.

Follows Grafana's Prometheus backend (pkg/promlib), which expands these macros itself: the step
of ``calculatePrometheusInterval`` (range / maxDataPoints rounded by ``gtime.RoundInterval``, at
least the scrape interval and at least the range / 11000 of its safe resolution) for
``$__interval``, ``calculateRateInterval``'s ``max(interval + scrape, 4 × scrape)`` for
``$__rate_interval``; and the Prometheus datasource's regex formatting of multi-value variables.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$")
_COMPOUND_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")

# Grafana's step rounding, gtime.RoundInterval (grafana-plugin-sdk-go backend/gtime), which the
# Prometheus backend's interval calculator applies to range / maxDataPoints (intervalv2.Calculate):
# up to each limit (ms, inclusive), the interval used (ms).
_ROUNDING = [(10, 1), (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500),
             (1500, 1000), (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000),
             (25000, 20000), (45000, 30000), (90000, 60000), (210000, 120000), (450000, 300000),
             (750000, 600000), (1050000, 900000), (1500000, 1200000), (2700000, 1800000),
             (5400000, 3600000), (9000000, 7200000), (16200000, 10800000),
             (32400000, 21600000), (86400000, 43200000), (172800000, 86400000),
             (604800000, 86400000), (1814400000, 604800000)]
#: The most points the Prometheus backend asks for (promlib's safeResolution).
SAFE_RESOLUTION = 11000
#: Its last two steps: below six weeks (exclusive), 30 days; from there on, a year.
_MONTH_BELOW, _MONTH, _YEAR = 3628800000, 2592000000, 31536000000


def seconds(duration: str) -> float:
    """``"15s"`` → 15.0, ``"1h"`` → 3600.0, and Prometheus' compound ``"1m30s"`` → 90.0."""
    text = duration.strip()
    match = _DURATION.match(text)
    if match:
        return float(match.group(1)) * _UNITS[match.group(2)]
    parts = _COMPOUND_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {duration!r}")
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


def relative_seconds(expression: str) -> float:
    """Seconds before now of ``now`` / ``now-6h`` (the forms dashkit dashboards use)."""
    expression = expression.strip()
    if expression == "now":
        return 0.0
    if expression.startswith("now-"):
        return seconds(expression[4:].split("/")[0])
    raise ValueError(f"unsupported time expression {expression!r}")


def round_interval(ms: float) -> float:
    """Grafana's rounding of a computed interval (``gtime.RoundInterval``), so $__interval
    matches the step Grafana's backend computes."""
    for limit, rounded in _ROUNDING:
        if ms <= limit:
            return float(rounded)
    return float(_MONTH if ms < _MONTH_BELOW else _YEAR)


def format_duration(secs: float) -> str:
    """A duration in its largest whole unit (90 -> 90s, 120 -> 2m, 0.5 -> 500ms)."""
    for unit in ("d", "h", "m", "s"):
        if secs >= _UNITS[unit] and secs % _UNITS[unit] == 0:
            return f"{int(secs // _UNITS[unit])}{unit}"
    return f"{int(secs * 1000)}ms"


def format_interval(secs: float) -> str:
    """Grafana's ``gtime.FormatInterval``, how the backend writes ``$__interval``: the count of
    the largest unit it reaches, rounded down (90 -> 1m, 120 -> 2m, 0.5 -> 500ms)."""
    ms = round(secs * 1000)
    for unit in ("y", "d", "h", "m", "s", "ms"):
        size = int(_UNITS[unit] * 1000) if unit != "y" else 365 * 86400 * 1000
        if ms >= size:
            return f"{ms // size}{unit}"
    return "1ms"


def go_duration(secs: float) -> str:
    """Go's ``time.Duration.String()``, how the backend writes ``$__rate_interval`` (135 ->
    2m15s, 60 -> 1m0s, 3600 -> 1h0m0s, 0.5 -> 500ms)."""
    ms = round(secs * 1000)
    if ms < 1000:
        return f"{ms}ms" if ms else "0s"
    hours, rest = divmod(ms, 3600000)
    minutes, rest = divmod(rest, 60000)
    whole, fraction = divmod(rest, 1000)
    text = f"{whole}" + (f".{fraction:03d}".rstrip("0") if fraction else "") + "s"
    if hours or minutes:
        text = f"{minutes}m{text}"
    return f"{hours}h{text}" if hours else text


@attrs.frozen
class TimeContext:
    """A dashboard time range as a panel sees it."""

    range_seconds: float
    #: Resolution: the panel's width in pixels (or maxDataPoints).
    max_data_points: int = 1000
    #: The datasource's scrape interval ("timeInterval"): Grafana's lower limit.
    scrape_interval: float = 15.0

    @property
    def interval_seconds(self) -> float:
        """``$__interval``: calculatePrometheusInterval's step, for a query with no min step."""
        raw = round_interval(self.range_seconds * 1000 / self.max_data_points) / 1000
        safe = round_interval(self.range_seconds * 1000 / SAFE_RESOLUTION) / 1000
        return max(raw, self.scrape_interval, safe)

    @property
    def rate_interval_seconds(self) -> float:
        """``$__rate_interval``: calculateRateInterval, four scrapes at least."""
        return max(self.interval_seconds + self.scrape_interval, 4 * self.scrape_interval)

    def macros(self) -> dict[str, str]:
        """Each macro's text, written as InterpolateVariables writes it."""
        interval, rate = self.interval_seconds, self.rate_interval_seconds
        range_s = int(self.range_seconds + 0.5)  # Go's math.Round of the seconds
        return {
            "__rate_interval": go_duration(rate),
            "__rate_interval_ms": str(int(rate * 1000)),
            "__interval": format_interval(interval),
            "__interval_ms": str(int(interval * 1000)),
            "__range": f"{range_s}s",
            "__range_s": str(range_s),
            "__range_ms": str(int(self.range_seconds * 1000)),
            "__auto": format_duration(interval),
        }


def regex_escape(value: str) -> str:
    """The Prometheus datasource's escaping of a variable value inside ``=~``."""
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\\\1", value)


def format_value(value: str | Sequence[str], regex_context: bool = True) -> str:
    """A variable's value as Grafana writes it into a Prometheus query."""
    if isinstance(value, str):
        return value
    values = list(value)
    if len(values) == 1:
        return regex_escape(values[0]) if regex_context else values[0]
    return "(" + "|".join(regex_escape(v) for v in values) + ")"


_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")


def expand(text: str, variables: Mapping[str, str | Sequence[str]],
           macros: Mapping[str, str]) -> str:
    """Replace macros and variables; unknown names are left as written (so they show up)."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        if name in macros:
            return macros[name]
        if name in variables:
            return format_value(variables[name])
        return match.group(0)

    return _VARIABLE.sub(replace, text)
