"""``dashkit preview`` draws what Grafana would: its named colours and classic palette, the colour
of every threshold step from the step's own value up (``>=``), and the unit families as
Grafana's ``valueFormats`` writes them.

Expected values are Grafana's, written here by hand from its source: getDarkHues and
getClassicPalette (packages/grafana-data/src/themes/createVisualizationColors.ts),
getActiveThreshold (packages/grafana-data/src/field/thresholds.ts), and the valueFormats tests
and formatters (valueFormats.test.ts, symbolFormatters.test.ts, dateTimeFormatters.ts
toSeconds/toMilliSeconds, symbolFormatters.ts binaryPrefix/SIPrefix/currency, valueFormats.ts
toPercent/toPercentUnit).
"""
from __future__ import annotations

import io
import math
from typing import Any

import pytest
from PIL import Image

from dashkit.grafana.model import TargetRef
from dashkit.preview import canvas
from dashkit.preview.data import LogLine, Series
from dashkit.preview.render import render_dashboard
from dashkit.preview.settings import threshold_colour
from dashkit.preview.units import format_value

# --- named colours ----------------------------------------------------------------------------

#: getDarkHues, one row per hue: super-light, light, the hue itself, semi-dark, dark.
DARK_HUES = """
    red     #FFA6B0 #FF7383 #F2495C #E02F44 #C4162A
    orange  #FFCB7D #FFB357 #FF9830 #FF780A #FA6400
    yellow  #FFF899 #FFEE52 #FADE2A #F2CC0C #E0B400
    green   #C8F2C2 #96D98D #73BF69 #56A64B #37872D
    blue    #C0D8FF #8AB8FF #5794F2 #3274D9 #1F60C4
    purple  #DEB6F2 #CA95E5 #B877D9 #A352CC #8F3BB8
"""


def grafana_names() -> list[tuple[str, str]]:
    named = []
    for line in DARK_HUES.strip().splitlines():
        hue, *shades = line.split()
        for prefix, hex_colour in zip(("super-light-", "light-", "", "semi-dark-", "dark-"), shades):
            named.append((prefix + hue, hex_colour))
    return named


@pytest.mark.parametrize("name,hex_colour", grafana_names())
def test_each_named_colour_is_grafanas(name, hex_colour):
    assert canvas.colour(name) == hex_colour


def test_the_series_colours_are_grafanas_classic_palette_in_order():
    """getClassicPalette: its named colours first (resolved by getDarkHues), then its hex ones;
    64 in all, the last #DEDAF7."""
    assert canvas.PALETTE[:18] == [
        "#73BF69", "#FADE2A", "#5794F2", "#FF9830", "#F2495C", "#B877D9",      # the hues
        "#37872D", "#E0B400", "#1F60C4", "#FA6400", "#C4162A", "#8F3BB8",      # dark-
        "#C8F2C2", "#FFF899", "#C0D8FF", "#FFCB7D", "#FFA6B0", "#DEB6F2"]      # super-light-
    assert (len(canvas.PALETTE), canvas.PALETTE[18], canvas.PALETTE[-1]) == (64, "#447EBC",
                                                                              "#DEDAF7")


# --- thresholds: a step's colour from its own value up ------------------------------------------

#: Steps as Grafana stores them, base first; given out of order, as hand-edited JSON may have them.
STEPS = [{"color": "green", "value": None}, {"color": "red", "value": 90},
         {"color": "#EAB839", "value": 50}, {"color": "orange", "value": 80}]


def thresholds_panel(kind: str = "stat", **options: Any) -> dict[str, Any]:
    return {"type": kind, "title": kind, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
            "datasource": {"type": "prometheus", "uid": "prom"},
            "targets": [{"refId": "A", "expr": "x"}], "options": options,
            "fieldConfig": {"defaults": {"unit": "none", "thresholds": {"mode": "absolute",
                                                                        "steps": STEPS}}}}


@pytest.mark.parametrize("value,colour", [
    (-1e9, "green"), (0, "green"), (49.999, "green"),
    (50, "#EAB839"), (79.999, "#EAB839"),
    (80, "orange"), (89.999, "orange"),
    (90, "red"), (1e9, "red"),
])
def test_a_value_takes_the_step_at_or_below_it(value, colour):
    """getActiveThreshold: the last step whose value is <= the value, steps in value order."""
    assert threshold_colour(thresholds_panel(), value) == canvas.colour(colour)


class FixedData:
    """Every query answers one series holding ``value``."""

    label, end = "fixed", 1_700_000_000.0

    def __init__(self, value: float) -> None:
        self.value = value

    def series(self, model: Any, ref: TargetRef) -> list[Series]:
        return [Series("x", {}, (self.end - 60, self.end), (self.value, self.value))]

    def logs(self, model: Any, ref: TargetRef) -> list[LogLine]:
        return []


@pytest.mark.parametrize("value,colour", [(80, "orange"), (90, "red"), (89.9, "orange")])
def test_a_stat_exactly_at_a_step_is_drawn_in_that_steps_colour(value, colour):
    model = {"uid": "t", "title": "T", "time": {"from": "now-1h", "to": "now"},
             "templating": {"list": []},
             "panels": [thresholds_panel(colorMode="background",
                                         reduceOptions={"calcs": ["lastNotNull"]})]}
    picture = render_dashboard(model, FixedData(value))
    image = Image.open(io.BytesIO(picture.png)).convert("RGB")
    box = picture.panels[0].box
    wanted = canvas.colour(colour)
    assert image.getpixel((int(box.left) + 4, int(box.bottom) - 4)) == tuple(
        int(wanted[i:i + 2], 16) for i in (1, 3, 5))


# --- units, by family --------------------------------------------------------------------------

@pytest.mark.parametrize("value,unit,decimals,shown", [
    # SI (SIPrefix): symbolFormatters.test.ts, with B for its V
    (0, "decbytes", None, "0 B"), (999, "decbytes", None, "999 B"),
    (1000, "decbytes", None, "1 kB"), (1e6, "decbytes", None, "1 MB"),
    (1e9, "decbytes", None, "1 GB"), (1e12, "decbytes", None, "1 TB"),
    (1e15, "decbytes", None, "1 PB"), (-1e12, "decbytes", None, "-1 TB"),
    (-1000, "decbytes", None, "-1 kB"), (-999, "decbytes", None, "-999 B"),
    (1000, "Bps", None, "1 kB/s"), (2.5e6, "bps", None, "2.50 Mb/s"),
    # binary (binaryPrefix): powers of 1024
    (1023, "bytes", None, "1023 B"), (1024, "bytes", None, "1 KiB"),
    (1048576, "bytes", None, "1 MiB"), (1073741824, "bytes", None, "1 GiB"),
    (1536, "bytes", 1, "1.5 KiB"),
    # time, seconds (toSeconds): each bound is the next unit's
    (0, "s", None, "0 s"), (5e-7, "s", None, "500 ns"), (0.000001, "s", None, "1 µs"),
    (0.001, "s", None, "1 ms"), (1, "s", None, "1 s"), (59, "s", None, "59 s"),
    (60, "s", None, "1 min"), (3600, "s", None, "1 hour"), (86400, "s", None, "1 day"),
    (604800, "s", None, "1 week"),
    # time, milliseconds (toMilliSeconds), with valueFormats.test.ts's own cases
    (999, "ms", None, "999 ms"), (1000, "ms", None, "1 s"), (60000, "ms", None, "1 min"),
    (3600000, "ms", None, "1 hour"), (86400000, "ms", None, "1 day"),
    (0.0024, "ms", 4, "0.0024 ms"), (100, "ms", 0, "100 ms"), (1250, "ms", 2, "1.25 s"),
    (10000086.123, "ms", 1, "2.8 hour"), (1200, "ms", 0, "1 s"),
    # currency: symbolFormatters.test.ts's table, and valueFormats.test.ts's $1.53K
    (0, "currencyUSD", None, "$0"), (999, "currencyUSD", None, "$999"),
    (1000, "currencyUSD", None, "$1K"), (1e6, "currencyUSD", None, "$1M"),
    (1e9, "currencyUSD", None, "$1B"), (1e12, "currencyUSD", None, "$1T"),
    (1e15, "currencyUSD", None, "$1000T"), (-1e12, "currencyUSD", None, "-$1T"),
    (-1000, "currencyUSD", None, "-$1K"), (-999, "currencyUSD", None, "-$999"),
    (1532.82, "currencyUSD", 2, "$1.53K"), (1000, "currencyEUR", None, "€1K"),
    # percent (toPercent, toPercentUnit: no space before %)
    (50, "percent", None, "50%"), (99.5, "percent", None, "99.5%"), (0.5, "percentunit", None, "50%"),
    (0.052, "percentunit", None, "5.20%"), (1, "percentunit", 1, "100.0%"),
])
def test_each_unit_family_reads_as_grafana_writes_it(value, unit, decimals, shown):
    assert format_value(value, unit, decimals) == shown


def test_not_a_number_and_infinity_read_as_grafana_writes_them():
    """valueFormats.test.ts "format edge cases": NaN, and infinity as toLocaleString writes it."""
    assert format_value(math.nan, "short") == "NaN"
    assert format_value(math.inf, "short") == "∞" and format_value(-math.inf, "short") == "-∞"
