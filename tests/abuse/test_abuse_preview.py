"""Abuse: nothing a panel's drawing raises escapes its panel. A line break in any drawn text (a
title, a legend, a label value, a multi-line log line such as a stack trace) made Pillow raise
outside the per-panel guard (``ImageDraw.multiline_text``: "anchor not supported for multiline
text"), and every ``dashkit serve`` redraw broke."""
from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pytest
from PIL import Image, ImageDraw

from dashkit.grafana.model import TargetRef
from dashkit.preview import canvas, render
from dashkit.preview.data import LogLine, Series, SyntheticData
from dashkit.preview.render import render_dashboard

PROM = {"type": "prometheus", "uid": "prom"}
LOKI = {"type": "loki", "uid": "loki"}
STACK_TRACE = "Traceback (most recent call last):\n  File \"app.py\", line 3\nValueError: boom"


class Hostile:
    """Answers whose label values and log lines span several lines."""
    label = "hostile data"

    def series(self, model: Mapping[str, Any], ref: TargetRef) -> list[Series]:
        labels = {"route": "/a\n/b", "status": "5\r\n00\u2028x"}
        return [Series("a\nb", labels, (1.0, 2.0), (1.0, 2.0))]

    def logs(self, model: Mapping[str, Any], ref: TargetRef) -> list[LogLine]:
        return [LogLine(1.0, "error", STACK_TRACE), LogLine(2.0, "info\nwarn", "one line")]


def dashboard() -> dict:
    def panel(kind: str, title: str, x: int, datasource: dict, **extra: Any) -> dict:
        return {"type": kind, "title": title, "gridPos": {"x": x, "y": 0, "w": 6, "h": 8},
                "datasource": datasource, "targets": [{"refId": "A", "expr": "up",
                                                       "datasource": datasource, **extra}]}
    return {"uid": "nl", "title": "Two\nlines", "time": {"from": "now-1h", "to": "now"},
            "panels": [panel("timeseries", "Legend\nbreak", 0, PROM, legendFormat="{{route}}\n{{status}}"),
                       panel("stat", "Stat\rtitle", 6, PROM),
                       panel("table", "Table\u2028title", 12, PROM),
                       panel("logs", "Stack\ntraces", 18, LOKI)]}


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text Pillow is asked to draw on the page."""
    texts: list[str] = []
    original = ImageDraw.ImageDraw.text

    def spy(self, xy, text, *args, **options):  # type: ignore[no-untyped-def]
        texts.append(text)
        return original(self, xy, text, *args, **options)
    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    return texts


@pytest.mark.parametrize("source", [Hostile(), SyntheticData()], ids=["hostile answers", "synthetic"])
def test_a_line_break_in_any_drawn_text_draws_and_never_raises(source, drawn):
    picture = render_dashboard(dashboard(), source)
    assert [p.status for p in picture.panels] == ["drawn"] * 4
    assert Image.open(io.BytesIO(picture.png)).format == "PNG"
    assert "Two lines" in drawn and "Legend break" in drawn  # each break read as a space
    assert not [t for t in drawn if any(c in t for c in "\n\r\u2028")]


def test_a_text_pillow_refuses_is_left_out_of_the_page_never_a_crash():
    page = canvas.Canvas(100)
    page.texts.append((10.0, 10.0, "two\nlines", 10.0, "#ffffff", "lt", False))  # as drawn before
    assert page.png().startswith(b"\x89PNG")


def test_a_multi_line_log_line_is_its_first_line_and_an_ellipsis(monkeypatch):
    drawn: list[str] = []
    original = render.Canvas.text

    def spy(self, x, y, text, **options):  # type: ignore[no-untyped-def]
        drawn.append(text)
        original(self, x, y, text, **options)
    monkeypatch.setattr(render.Canvas, "text", spy)
    render_dashboard(dashboard(), Hostile())
    logs = [t for t in drawn if "Traceback" in t]
    assert len(logs) == 1 and logs[0].endswith("Traceback (most recent call last): …")


def test_any_exception_a_panel_raises_is_a_placeholder_naming_it(monkeypatch, drawn):
    def broken(canvas, box, panel, data):  # type: ignore[no-untyped-def]
        canvas.text(box.left, box.top, "half drawn")
        raise RuntimeError("the drawer broke")
    monkeypatch.setitem(render.DRAWERS, "stat", broken)
    picture = render_dashboard(dashboard(), Hostile())
    assert [p.status for p in picture.panels] == [
        "drawn", "not drawn: RuntimeError", "drawn", "drawn"]
    assert picture.png.startswith(b"\x89PNG")
    assert "not drawn: RuntimeError: the drawer broke" in drawn
    assert "half drawn" not in drawn  # what the panel drew before failing is taken away
