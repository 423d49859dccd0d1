"""The page a preview draws on: Grafana's grid in pixels, its dark theme's colours, and a
matplotlib figure addressed in pixels from the top left, as a browser lays a dashboard out.

Grafana's grid (``public/app/core/constants.ts``): 24 columns, rows of ``GRID_CELL_HEIGHT`` 30 px
with ``GRID_CELL_VMARGIN`` 8 px between cells. A panel ``w`` columns wide and ``h`` rows high is
``w`` column widths plus ``w - 1`` margins across and ``30 h + 8 (h - 1)`` px high.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle, Wedge
from matplotlib.transforms import IdentityTransform

GRID_COLUMNS = 24
CELL_HEIGHT = 30
MARGIN = 8
#: Width of one grid column: 24 of them and 23 margins make a 1600 px wide dashboard.
COLUMN_WIDTH = 59
PAGE_PADDING = 16
HEADER_HEIGHT = 48
TITLE_HEIGHT = 28
PAGE_WIDTH = PAGE_PADDING * 2 + GRID_COLUMNS * COLUMN_WIDTH + (GRID_COLUMNS - 1) * MARGIN
DPI = 100

PAGE_BG = "#111217"
PANEL_BG = "#181b1f"
PANEL_BORDER = "#2f3237"
ROW_BAR = "#22252b"
TEXT = "#ccccdc"
MUTED = "#8e8e9e"
#: Grafana's named colours, dark theme (getDarkHues in
#: ``packages/grafana-data/src/themes/createVisualizationColors.ts``): five shades of each hue.
_HUES = {
    "red": ("#FFA6B0", "#FF7383", "#F2495C", "#E02F44", "#C4162A"),
    "orange": ("#FFCB7D", "#FFB357", "#FF9830", "#FF780A", "#FA6400"),
    "yellow": ("#FFF899", "#FFEE52", "#FADE2A", "#F2CC0C", "#E0B400"),
    "green": ("#C8F2C2", "#96D98D", "#73BF69", "#56A64B", "#37872D"),
    "blue": ("#C0D8FF", "#8AB8FF", "#5794F2", "#3274D9", "#1F60C4"),
    "purple": ("#DEB6F2", "#CA95E5", "#B877D9", "#A352CC", "#8F3BB8"),
}
_SHADES = ("super-light-{}", "light-{}", "{}", "semi-dark-{}", "dark-{}")
NAMED = {shade.format(hue): colours[index] for hue, colours in _HUES.items()
         for index, shade in enumerate(_SHADES)}
NAMED.update(transparent=PANEL_BG, text=TEXT)  # drawn on the panel; the theme's text colour
#: Series colours in order: Grafana's classic palette (getClassicPalette), its names resolved.
PALETTE = [NAMED[name] for name in (
    "green", "yellow", "blue", "orange", "red", "purple", "dark-green", "dark-yellow",
    "dark-blue", "dark-orange", "dark-red", "dark-purple", "super-light-green",
    "super-light-yellow", "super-light-blue", "super-light-orange", "super-light-red",
    "super-light-purple")] + [
    "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477", "#B7DBAB", "#F4D598",
    "#70DBED", "#F9BA8F", "#F29191", "#82B5D8", "#E5A8E2", "#AEA2E0", "#629E51", "#E5AC0E",
    "#64B0C8", "#E0752D", "#BF1B00", "#0A50A1", "#962D82", "#614D93", "#9AC48A", "#F2C96D",
    "#65C5DB", "#F9934E", "#EA6460", "#5195CE", "#D683CE", "#806EB7", "#3F6833", "#967302",
    "#2F575E", "#99440A", "#58140C", "#052B51", "#511749", "#3F2B5B", "#E0F9D7", "#FCEACA",
    "#CFFAFF", "#F9E2D2", "#FCE2DE", "#BADFF4", "#F9D9F9", "#DEDAF7"]


def colour(name: Any) -> str:
    """A Grafana colour name or CSS colour as matplotlib reads it."""
    text = str(name or "")
    if text in NAMED:
        return NAMED[text]
    if text.startswith("#") and len(text) in (4, 7, 9):
        return text[:7]
    if text.startswith("rgb"):
        try:
            parts = [float(p) for p in text[text.index("(") + 1 : text.index(")")].split(",")[:3]]
            return "#" + "".join(f"{max(0, min(255, int(p))):02x}" for p in parts)
        except ValueError:
            return NAMED["green"]
    return NAMED["green"]


@attrs.frozen
class Box:
    """A rectangle in page pixels, from the top left."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def inset(self, left: float, top: float, right: float, bottom: float) -> Box:
        return Box(
            self.left + left,
            self.top + top,
            max(1.0, self.width - left - right),
            max(1.0, self.height - top - bottom),
        )


#: Bounds on a hostile gridPos: the page stays a picture, not a gigabyte of pixels.
MAX_ROWS = 600
MAX_PANEL_ROWS = 100


def _whole(value: Any, default: int, low: int, high: int) -> int:
    """A grid coordinate as Grafana would read it, kept within the page."""
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else default
    if number != number:  # NaN
        number = default
    return int(max(low, min(high, number)))


def grid_box(grid_pos: Mapping[str, Any]) -> Box:
    """Where Grafana puts a panel with this ``gridPos``, in page pixels."""
    x = _whole(grid_pos.get("x"), 0, 0, GRID_COLUMNS - 1)
    w = _whole(grid_pos.get("w"), 12, 1, GRID_COLUMNS - x)
    y = _whole(grid_pos.get("y"), 0, 0, MAX_ROWS)
    h = _whole(grid_pos.get("h"), 8, 1, MAX_PANEL_ROWS)
    return Box(
        PAGE_PADDING + x * (COLUMN_WIDTH + MARGIN),
        HEADER_HEIGHT + y * (CELL_HEIGHT + MARGIN),
        w * COLUMN_WIDTH + (w - 1) * MARGIN,
        h * CELL_HEIGHT + (h - 1) * MARGIN,
    )


class Canvas:
    """A figure addressed in pixels from the top left; everything drawn is a plain artist."""

    def __init__(self, height: int) -> None:
        self.width, self.height = PAGE_WIDTH, height
        self.figure = Figure(figsize=(PAGE_WIDTH / DPI, height / DPI), dpi=DPI, facecolor=PAGE_BG)
        self.texts: list[tuple[float, float, str, float, str, str, bool]] = []

    def _y(self, top: float) -> float:
        return self.height - top

    def rect(self, box: Box, fill: str, edge: str | None = None) -> None:
        self.figure.add_artist(
            Rectangle(
                (box.left, self._y(box.bottom)),
                box.width,
                box.height,
                transform=IdentityTransform(),
                facecolor=fill,
                edgecolor=edge or fill,
                linewidth=1 if edge else 0,
                antialiased=False,
            )
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10,
        colour: str = TEXT,
        ha: str = "left",
        va: str = "top",
        weight: str = "normal",
        width: float | None = None,
    ) -> None:
        """Text at (x, y) in page pixels, on one line (a line break, which Pillow refuses with an
        anchor, reads as a space), cut with an ellipsis to ``width``. Drawn by Pillow onto
        the finished page (matplotlib's text costs about 2 ms each, Pillow's a few µs)."""
        text = one_line(text)
        if width is not None:
            limit = max(1, int(width / (size * 0.62)))
            text = text if len(text) <= limit else text[: max(1, limit - 1)] + "…"
        anchor = {"left": "l", "center": "m", "right": "r"}.get(ha, "l") + {
            "top": "t",
            "center": "m",
            "bottom": "b",
        }.get(va, "t")
        self.texts.append((x, y, text, size, colour, anchor, weight == "bold"))

    def checkpoint(self) -> tuple[int, int]:
        """How much is drawn so far, for :meth:`rollback`."""
        return len(self.texts), len(self.figure.artists)

    def rollback(self, point: tuple[int, int]) -> None:
        """Take away what was drawn since ``point``: a panel that failed halfway leaves nothing."""
        del self.texts[point[0]:]
        for artist in self.figure.artists[point[1]:]:
            artist.remove()

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        colour: str,
        width: float = 1.5,
        dashed: bool = False,
    ) -> None:
        self.figure.add_artist(
            Line2D(
                list(xs),
                [self._y(y) for y in ys],
                color=colour,
                linewidth=width * 0.75,
                transform=IdentityTransform(),
                linestyle="--" if dashed else "-",
            )
        )

    def area(
        self,
        xs: Sequence[float],
        tops: Sequence[float],
        bottoms: Sequence[float],
        colour: str,
        alpha: float,
    ) -> None:
        points = [(x, self._y(y)) for x, y in zip(xs, tops)]
        points += [(x, self._y(y)) for x, y in reversed(list(zip(xs, bottoms)))]
        if len(points) >= 3:
            self.figure.add_artist(
                Polygon(
                    points,
                    closed=True,
                    transform=IdentityTransform(),
                    facecolor=colour,
                    alpha=alpha,
                    linewidth=0,
                )
            )

    def arc(
        self,
        cx: float,
        cy: float,
        radius: float,
        start: float,
        end: float,
        colour: str,
        width: float,
    ) -> None:
        """An arc from ``start`` to ``end`` degrees (counter-clockwise from three o'clock)."""
        self.figure.add_artist(
            Wedge(
                (cx, self._y(cy)),
                radius,
                start,
                end,
                width=width,
                transform=IdentityTransform(),
                facecolor=colour,
                linewidth=0,
            )
        )

    def png(self) -> bytes:
        """The page as PNG bytes: shapes by matplotlib's Agg, then the text; no timestamps or
        versions in the file, so the same input gives the same bytes."""
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from PIL import Image, ImageDraw

        agg = FigureCanvasAgg(self.figure)
        agg.draw()  # type: ignore[no-untyped-call]
        rgba = agg.buffer_rgba()  # type: ignore[no-untyped-call]
        image = Image.frombuffer(
            "RGBA", agg.get_width_height(), rgba, "raw", "RGBA", 0, 1
        ).convert("RGB")
        draw = ImageDraw.Draw(image)
        for x, y, text, size, colour, anchor, bold in self.texts:
            try:
                draw.text((x, y), text, fill=colour, font=_font(size, bold), anchor=anchor)
            except (ValueError, OSError):  # a text Pillow refuses is left out, never a crash
                continue
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


#: What ends a line for Python's splitlines (Pillow draws "\n" as one; the others as boxes).
_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` with each run of line breaks as one space."""
    return _LINE_BREAKS.sub(" ", text)


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, with " …" when more follow (a stack trace in a
    log line)."""
    lines = [line for line in _LINE_BREAKS.split(text) if line.strip()]
    return (lines[0] + " …" if len(lines) > 1 else lines[0]) if lines else ""


@functools.lru_cache(maxsize=64)
def _font(size: float, bold: bool) -> Any:
    """DejaVu Sans, the font matplotlib ships, at ``size`` (our sizes are Grafana's px)."""
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(
        font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"),
        fallback_to_default=True,
    )
    return ImageFont.truetype(path, max(6, round(size * 1.05)))
