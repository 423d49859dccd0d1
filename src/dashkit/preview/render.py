"""A dashboard as a picture: every panel where its gridPos puts it, drawn by type from real or
synthetic data, and a page that shows them all. ``dashkit preview`` writes them; ``dashkit
serve`` shows them live."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from dashkit.errors import DashkitError
from dashkit.grafana.facts import MAX_UID_LENGTH
from dashkit.grafana.grid import drawn_grid
from dashkit.grafana.model import iter_targets
from dashkit.preview.canvas import (
    HEADER_HEIGHT,
    MARGIN,
    MUTED,
    PAGE_PADDING,
    PANEL_BG,
    PANEL_BORDER,
    ROW_BAR,
    TEXT,
    TITLE_HEIGHT,
    Box,
    Canvas,
    grid_box,
)
from dashkit.preview.data import DashboardError, DataSource
from dashkit.preview.fields import PanelData
from dashkit.preview.panels import DRAWERS, background, placeholder
from dashkit.project.output import replace_folder

#: The marker text of a preview folder (the same marker file as a build: dashkit replaces only
#: folders it wrote).
MARKER_TEXT = "Written by dashkit preview. This folder is replaced whole on every preview.\n"


@attrs.frozen
class PanelPicture:
    """Where a panel was drawn and what became of it (drawn, No data, placeholder, row, or
    "not drawn: <error>")."""

    title: str
    type: str
    box: Box
    status: str
    repeated_by: str = ""


@attrs.frozen
class Picture:
    """One dashboard's preview."""

    uid: str
    title: str
    png: bytes
    panels: tuple[PanelPicture, ...]
    source: str

    @property
    def file_name(self) -> str:
        """``<uid>.png``; a uid from a hostile file never names a path."""
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", self.uid)[:MAX_UID_LENGTH]
        return f"{safe or 'dashboard'}.png"


def _panel_data(
    model: Mapping[str, Any], panel: Mapping[str, Any], source: DataSource
) -> PanelData:
    series, logs = [], []
    for ref in iter_targets({**model, "panels": [{**panel, "panels": []}]}):
        if ref.target.get("hide"):
            continue
        if panel.get("type") == "logs" or (
            ref.language == "logql" and panel.get("type") == "logs"
        ):
            logs += source.logs(model, ref)
        else:
            series += source.series(model, ref)
    return PanelData(tuple(series), tuple(logs))


def _page_height(positions: Sequence[Mapping[str, Any]]) -> int:
    bottom = max((grid_box(p).bottom for p in positions), default=HEADER_HEIGHT)
    return int(bottom + PAGE_PADDING + 20)


def render_dashboard(model: Mapping[str, Any], source: DataSource) -> Picture:
    """The dashboard drawn as Grafana lays it out (its grid compacts: overlapping panels are
    stacked, gaps close); collapsed rows are bars, their panels hidden."""
    panels = [p for p in model.get("panels") or [] if isinstance(p, dict)]
    positions = drawn_grid(panels)
    canvas = Canvas(_page_height(positions))
    title = str(model.get("title") or model.get("uid") or "dashboard")
    canvas.text(
        PAGE_PADDING, 14, title, size=16, colour=TEXT, weight="bold", width=canvas.width * 0.6
    )
    canvas.text(canvas.width - PAGE_PADDING, 16, source.label, size=10, colour=MUTED, ha="right")
    drawn = []
    for panel, position in zip(panels, positions):
        box = grid_box(position)
        kind = str(panel.get("type") or "")
        name = str(panel.get("title") or "")
        if kind == "row":
            drawn.append(_row(canvas, box, panel))
            continue
        repeat = str(panel.get("repeat") or "")
        content = box.inset(8, TITLE_HEIGHT, 8, 6)
        before = canvas.checkpoint()
        try:
            data = _panel_data(model, panel, source)
            canvas.rect(box, background(panel, data), PANEL_BORDER)
            status = DRAWERS.get(kind, placeholder)(canvas, content, panel, data)
        except DashboardError:
            raise  # the dashboard's own mistake: one line for the run, not one per panel
        except Exception as error:  # noqa: BLE001 - nothing a panel raises escapes its panel
            canvas.rollback(before)  # a hostile model never crashes a preview (nor serve)
            canvas.rect(box, PANEL_BG, PANEL_BORDER)
            status = not_drawn(canvas, content, error)
        heading = name + (f"   ↻ repeated by ${repeat}" if repeat else "")
        canvas.text(
            box.left + 8,
            box.top + 7,
            heading,
            size=11,
            colour=TEXT,
            weight="bold",
            width=box.width - 16,
        )
        drawn.append(PanelPicture(name, kind, box, status, repeat))
    return Picture(str(model.get("uid") or ""), title, canvas.png(), tuple(drawn), source.label)


def not_drawn(canvas: Canvas, box: Box, error: Exception) -> str:
    """The placeholder of a panel whose drawing failed, naming the error."""
    reason = f"{type(error).__name__}: {error}"
    canvas.text(box.left + box.width / 2, box.top + box.height / 2, f"not drawn: {reason}",
                size=11, colour=MUTED, ha="center", va="center", width=box.width)
    return f"not drawn: {type(error).__name__}"


def _row(canvas: Canvas, box: Box, panel: Mapping[str, Any]) -> PanelPicture:
    title = str(panel.get("title") or "")
    band = Box(box.left, box.top, box.width, min(box.height, 30 + MARGIN / 2))
    collapsed = bool(panel.get("collapsed"))
    if collapsed:
        canvas.rect(band, ROW_BAR)
    hidden = f"   ({len(panel.get('panels') or [])} panels)" if collapsed else ""
    canvas.text(
        band.left + 10,
        band.top + 7,
        f"{'▸' if collapsed else '▾'} {title}{hidden}",
        size=12,
        colour=TEXT,
        weight="bold",
        width=band.width - 20,
    )
    return PanelPicture(title, "row", band, "collapsed row" if collapsed else "row")


def page_html(
    heading: str, pictures: Sequence[tuple[str, str, str]], *, error: str = "", script: str = ""
) -> str:
    """The page of pictures: (title, subtitle, image address) each, an error banner (id
    ``error``) when there is one, and an optional script. Every text is escaped."""
    items = "\n".join(
        f"<section><h2>{html.escape(title)} <small>{html.escape(subtitle)}</small></h2>"
        f'<img src="{html.escape(src)}" alt="{html.escape(title)}"></section>'
        for title, subtitle, src in pictures
    )
    banner = f'<p id="error" class="error">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(heading)}</title>
<style>body{{background:#0b0c0e;color:#ccccdc;font-family:sans-serif;margin:16px}}
img{{max-width:100%;border:1px solid #2f3237}}.error{{background:#c4162a;color:#fff;padding:8px}}
small{{color:#8e8e9e}}</style></head>
<body><h1>{html.escape(heading)}</h1>{banner}
{items or "<p>No pictures yet.</p>"}
{script}</body></html>
"""


def index_html(pictures: Sequence[Picture]) -> str:
    """The preview folder's page: every picture, by title."""
    return page_html(
        "dashkit preview",
        [
            (p.title, p.uid, f"{p.file_name}?v={hashlib.sha256(p.png).hexdigest()[:12]}")
            for p in pictures
        ],
    )


def write_previews(pictures: Sequence[Picture], out_dir: Path) -> None:
    """``<uid>.png`` for each picture and ``index.html``, written whole or not at all."""
    names = [p.file_name for p in pictures]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DashkitError(
            f"two dashboards would be written to {', '.join(twice)}: preview them "
            "apart, or give them distinct uids"
        )

    def fill(staging: Path) -> None:
        for picture in pictures:
            (staging / picture.file_name).write_bytes(picture.png)
        (staging / "index.html").write_text(index_html(pictures), "utf-8")

    replace_folder(out_dir, fill, MARKER_TEXT)


def render_all(
    models: Sequence[Mapping[str, Any]],
    source: DataSource,
    progress: Callable[[Picture], None] | None = None,
) -> list[Picture]:
    """Every dashboard's picture, in order."""
    pictures = []
    for model in models:
        picture = render_dashboard(model, source)
        pictures.append(picture)
        if progress is not None:
            progress(picture)
    return pictures
