"""Grafana's variable and ``$__…`` macro expansion, so queries can be parsed and run outside it.

Follows Grafana's frontend: ``calculateInterval`` and ``roundInterval`` for ``$__interval``,
``max($__interval + scrape, 4 × scrape)`` for ``$__rate_interval``, and the Prometheus
datasource's regex formatting of multi-value variables.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$")
_COMPOUND_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")

# Grafana's roundInterval: below each limit (ms), the interval used (ms).
_ROUNDING = [(15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000),
             (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000),
             (45000, 30000), (90000, 60000), (210000, 120000), (450000, 300000),
             (1050000, 600000), (2100000, 1800000), (6300000, 3600000), (15000000, 7200000),
             (64800000, 21600000), (129600000, 43200000), (604800000, 86400000)]


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
    """Grafana's rounding of a computed interval, so $__interval matches what Grafana sends."""
    for limit, rounded in _ROUNDING:
        if ms <= limit:
            return float(rounded)
    return 604800000.0


def format_duration(secs: float) -> str:
    """A duration in Prometheus's shortest form (90 -> 1m30s)."""
    for unit in ("d", "h", "m", "s"):
        if secs >= _UNITS[unit] and secs % _UNITS[unit] == 0:
            return f"{int(secs // _UNITS[unit])}{unit}"
    return f"{int(secs * 1000)}ms"


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
        raw = round_interval(self.range_seconds * 1000 / self.max_data_points) / 1000
        return max(raw, self.scrape_interval)

    @property
    def rate_interval_seconds(self) -> float:
        return max(self.interval_seconds + self.scrape_interval, 4 * self.scrape_interval)

    def macros(self) -> dict[str, str]:
        interval = self.interval_seconds
        return {
            "__rate_interval": format_duration(self.rate_interval_seconds),
            "__interval": format_duration(interval),
            "__interval_ms": str(int(interval * 1000)),
            "__range": format_duration(self.range_seconds),
            "__range_s": str(int(self.range_seconds)),
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
