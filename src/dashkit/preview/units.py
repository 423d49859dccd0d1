"""Grafana's unit formatting, for the units dashboards use, written once: the numbers a preview
draws read as Grafana would show them ("1.50 KiB", "35.0 ms", "$1.53K", "12 req/s").

Follows ``packages/grafana-data/src/valueFormats`` (valueFormats.ts ``toFixed``,
``scaledUnits``, ``simpleCountUnit``; symbolFormatters.ts ``currency``, ``binaryPrefix``,
``SIPrefix``; dateTimeFormatters.ts ``toSeconds``, ``toMilliSeconds``), including JavaScript's
rounding and number printing. An unknown unit is a suffix, as Grafana treats it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Formatter = Callable[[float, "int | None"], tuple[str, str, str]]  # (prefix, text, suffix)

SHORT = ["", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept"]
COUNT = ["", "K", "M", "B", "T"]
SI_PREFIXES = ["f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"]
SI_BASE = SI_PREFIXES.index("")
BINARY_PREFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]


def js_string(number: float) -> str:
    """``String(number)`` as JavaScript prints it (no ``.0`` on whole numbers)."""
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    return text.replace("e-0", "e-").replace("e+0", "e+")


def _decimals_for(value: float) -> int:
    log10 = math.floor(math.log10(abs(value)))
    decimals = -log10 + 1
    if value / 10**-decimals > 2.25:
        decimals += 1
    if value % 1 == 0:
        decimals = 0
    return max(0, decimals)


def to_fixed(value: float, decimals: int | None = None) -> str:
    """Grafana's ``toFixed``: automatic decimals by magnitude, JavaScript's rounding."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if decimals is None:
        decimals = _decimals_for(value) if value else 0
    if value == 0:
        return f"{0:.{decimals}f}"
    factor = 10 ** max(0, decimals) if decimals else 1
    formatted = js_string(math.floor(value * factor + 0.5) / factor)
    if "e" in formatted:
        return formatted
    point = formatted.find(".")
    precision = 0 if point == -1 else len(formatted) - point - 1
    if precision < decimals:
        return (formatted if precision else formatted + ".") + str(factor)[
            1 : decimals - precision + 1
        ]
    return formatted


def _scaled(factor: float, units: list[str], offset: int = 0) -> Formatter:
    def format_value(size: float, decimals: int | None) -> tuple[str, str, str]:
        if math.isnan(size) or math.isinf(size):
            return "", to_fixed(size) if math.isinf(size) else "NaN", ""
        index = math.floor(math.log(abs(size), factor)) if size else 0
        suffix = units[min(max(offset + index, 0), len(units) - 1)]
        power = min(max(index, -offset), len(units) - offset - 1)
        return "", to_fixed(size / factor**power, decimals), suffix

    return format_value


def _count(symbol: str) -> Formatter:
    scaler = _scaled(1000, COUNT)

    def format_value(size: float, decimals: int | None) -> tuple[str, str, str]:
        prefix, text, suffix = scaler(size, decimals)
        return prefix, text, f"{suffix} {symbol}"

    return format_value


def _currency(symbol: str) -> Formatter:
    scaler = _scaled(1000, COUNT)

    def format_value(size: float, decimals: int | None) -> tuple[str, str, str]:
        _, text, suffix = scaler(abs(size), decimals)
        return ("-" if size < 0 else "") + symbol, text, suffix

    return format_value


def _si(unit: str) -> Formatter:
    return _scaled(1000, [f" {p}{unit}" for p in SI_PREFIXES], SI_BASE)


def _binary(unit: str) -> Formatter:
    return _scaled(1024, [f" {p}{unit}" for p in BINARY_PREFIXES])


def _suffix(text_suffix: str, scale: float = 1) -> Formatter:
    return lambda size, decimals: ("", to_fixed(size * scale, decimals), text_suffix)


#: (limit, scale, suffix): the first row whose limit the absolute value is under applies; a
#: scale above 1 multiplies (as Grafana does below a second), otherwise the value is divided.
_SECONDS: list[tuple[float, float, str]] = [
    (1e-6, 1e9, " ns"),
    (1e-3, 1e6, " µs"),
    (1, 1e3, " ms"),
    (60, 1, " s"),
    (3600, 60, " min"),
    (86400, 3600, " hour"),
    (604800, 86400, " day"),
    (31536000, 604800, " week"),
    (math.inf, 3.15569e7, " year"),
]
_MILLISECONDS: list[tuple[float, float, str]] = [
    (1000, 1, " ms"),
    (60000, 1000, " s"),
    (3600000, 60000, " min"),
    (86400000, 3600000, " hour"),
    (31536000000, 86400000, " day"),
    (math.inf, 31536000000, " year"),
]


def _duration(table: list[tuple[float, float, str]], multiplied: float) -> Formatter:
    def format_value(size: float, decimals: int | None) -> tuple[str, str, str]:
        if size == 0:
            return "", "0", table[0][2] if table is _MILLISECONDS else " s"
        for limit, scale, suffix in table:
            if abs(size) < limit:
                scaled = size * scale if abs(size) < multiplied else size / scale
                return "", to_fixed(scaled, decimals), suffix
        return "", to_fixed(size), ""

    return format_value


UNITS: dict[str, Formatter] = {
    "none": _suffix(""),
    "": _suffix(""),
    "short": _scaled(1000, SHORT),
    "percent": _suffix("%"),
    "percentunit": _suffix("%", 100),
    "reqps": _count("req/s"),
    "ops": _count("ops"),
    "rps": _count("rd/s"),
    "wps": _count("wr/s"),
    "bytes": _binary("B"),
    "decbytes": _si("B"),
    "Bps": _si("B/s"),
    "bps": _si("b/s"),
    "currencyUSD": _currency("$"),
    "currencyEUR": _currency("€"),
    "s": _duration(_SECONDS, 1),
    "ms": _duration(_MILLISECONDS, 0),
}


def format_value(value: float, unit: str | None = None, decimals: int | None = None) -> str:
    """``value`` as Grafana shows it in ``unit`` (an unknown unit is written after it)."""
    if math.isnan(value):
        return "NaN"
    formatter = UNITS.get(unit or "")
    if formatter is None:
        formatter = _suffix(f" {unit}")
    prefix, text, suffix = formatter(float(value), decimals)
    return f"{prefix}{text}{suffix}"
