"""Placement on Grafana's 24-column grid: panels flow left to right and wrap, rows start a line.

Positions are computed, never hand-written, so inserting a panel moves the ones after it and
overlaps cannot happen by accident; an explicit position is still possible and is checked.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from dashkit.errors import DashkitError, Site, user_site
from dashkit.grafana.facts import DEFAULT_HEIGHT, DEFAULT_WIDTH, GRID_COLUMNS


@attrs.frozen
class Raw:
    """A panel kept exactly as written (a third-party or unknown type): only its id and
    position are dashkit's."""

    json: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.json.get("title", ""))


@attrs.define
class Panel:
    """A panel and where it goes: ``spec`` is a grafanalib panel, a builder's ``DirectPanel``
    (grafanalib's arguments, read and set as that panel's attributes) or a raw panel dict."""

    spec: Any
    w: int = DEFAULT_WIDTH
    h: int = DEFAULT_HEIGHT
    #: Identity of the panel across edits; the panel id is derived from it. Defaults to the title.
    key: str | None = None
    #: Fixed position; both or neither. Without them the panel flows.
    x: int | None = None
    y: int | None = None
    #: Raw JSON merged into the compiled panel last, over everything dashkit set.
    extra: dict[str, Any] = attrs.field(factory=dict)
    #: A fixed panel id (an imported dashboard's, so ``viewPanel=`` links into it keep working);
    #: without it the id is derived from ``key``.
    id: int | None = None
    #: The builder call that made it (file, line), so a later error points at the user's code.
    origin: Site | None = attrs.field(default=None, eq=False)

    @property
    def title(self) -> str:
        spec = self.spec
        kwargs = getattr(spec, "kwargs", None)  # a builder's DirectPanel, most panels
        if type(kwargs) is dict and "title" in kwargs:
            return str(kwargs["title"])
        if isinstance(spec, Raw):
            return spec.title
        return str(spec.get("title", "") if isinstance(spec, dict) else getattr(spec, "title", ""))


@attrs.define
class Row:
    """A row: a heading that groups the panels after it, collapsed or not."""
    title: str
    panels: list[Panel] = attrs.field(factory=list)
    collapsed: bool = False
    key: str | None = None
    #: Fixed grid line (imported layouts); without it the row starts the next free line.
    y: int | None = None
    #: Other row fields, kept as written (``repeat``, a row ``datasource``…).
    extra: dict[str, Any] = attrs.field(factory=dict)


Item = Panel | Row


@attrs.frozen
class GridPos:
    """A position on Grafana's 24-column grid, and whether it overlaps another."""
    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: GridPos) -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)

    def to_json_data(self) -> dict[str, int]:
        return {"h": self.h, "w": self.w, "x": self.x, "y": self.y}


@attrs.frozen
class Placed:
    """A panel or row with its grid position and stable key; rows carry their children."""

    item: Item
    pos: GridPos
    key: str
    children: tuple[Placed, ...] = ()


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A title as Grafana's URL slug: the readable part of /d/uid/slug links."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or "panel"


class Flow:
    """The flow cursor: where the next panel goes. Left to right, wrapping at the grid's width,
    and each panel as high up as its columns allow: where Grafana draws it, since its grid
    compacts vertically on load (react-grid-layout's ``compact``; grafana/grid.py). A panel is
    never written where Grafana would move it. Public so the importer can predict it."""

    def __init__(self) -> None:
        self.x = 0
        #: The first free row of each column.
        self.floor: list[int] = [0] * GRID_COLUMNS

    @property
    def y(self) -> int:
        """The first row below everything placed: where a row header goes."""
        return max(self.floor)

    @y.setter
    def y(self, value: int) -> None:
        self.floor = [value] * GRID_COLUMNS

    def newline(self) -> None:
        self.x = 0

    def _occupy(self, pos: GridPos) -> None:
        # a new list, never changed in place: the importer tries a copy of the flow first
        floor = self.floor[:]
        bottom = pos.y + pos.h
        for column in range(max(pos.x, 0), min(pos.x + pos.w, GRID_COLUMNS)):
            if floor[column] < bottom:
                floor[column] = bottom
        self.floor = floor
        self.x = pos.x + pos.w

    def place(self, panel: Panel) -> GridPos:
        if not 1 <= panel.w <= GRID_COLUMNS:
            raise DashkitError(f"width {panel.w} does not fit the {GRID_COLUMNS}-column grid",
                               panel=panel.title, file=site_of(panel))
        if panel.h < 1:
            raise DashkitError(f"height {panel.h} must be at least 1", panel=panel.title, file=site_of(panel))
        if (panel.x is None) != (panel.y is None):
            raise DashkitError("give both x and y, or neither", panel=panel.title, file=site_of(panel))
        if panel.x is not None and panel.y is not None:
            if panel.x < 0 or panel.y < 0 or panel.x + panel.w > GRID_COLUMNS:
                raise DashkitError(f"x={panel.x} w={panel.w} overflows the {GRID_COLUMNS}-column grid",
                                   panel=panel.title, file=site_of(panel))
            pos = GridPos(panel.x, panel.y, panel.w, panel.h)
            self._occupy(pos)
        else:
            if self.x + panel.w > GRID_COLUMNS:
                self.newline()
            x, w, floor = self.x, panel.w, self.floor
            pos = GridPos(x, max(floor[x:x + w]), w, panel.h)
            # it rests on the highest floor of its columns: all of them rise to its bottom
            # (a new list, as in _occupy)
            self.floor = floor[:x] + [pos.y + pos.h] * w + floor[x + w:]
            self.x = x + w
        return pos


def _key(item: Item, prefix: str, seen: set[str]) -> str:
    title = item.title
    key = item.key or (prefix + slug(title))
    if key in seen:
        raise DashkitError(f"two panels share the key {key!r}; give one a distinct key=",
                           panel=title, file=site_of(item))
    seen.add(key)
    return key


def layout(items: Sequence[Item], allow_overlaps: bool = False) -> list[Placed]:
    """Place every panel; raise on overflow, on overlap (unless allowed) and on duplicate keys."""
    flow = Flow()
    seen: set[str] = set()
    placed: list[Placed] = []
    fixed = False  # whether any panel or row has a position of its own
    for item in items:
        if isinstance(item, Row):
            flow.newline()
            if item.y is not None:
                flow.y = item.y
                fixed = True
            row_pos = GridPos(0, flow.y, GRID_COLUMNS, 1)
            row_key = _key(item, "", seen)
            flow.y += 1
            # A collapsed row's panels keep their expanded positions but take no room.
            child_flow = Flow() if item.collapsed else flow
            child_flow.y = flow.y
            children = tuple(Placed(p, child_flow.place(p), _key(p, row_key + "/", seen))
                             for p in item.panels)
            fixed = fixed or any(p.x is not None for p in item.panels)
            if not item.collapsed:
                flow.newline()
            placed.append(Placed(item, row_pos, row_key, children))
        else:
            placed.append(Placed(item, flow.place(item), _key(item, "", seen)))
            fixed = fixed or item.x is not None
    # the flow puts each panel below whatever it shares a column with: only a position given
    # by hand can overlap (tests/test_fast_paths.py holds the flow to that)
    if fixed and not allow_overlaps:
        _check_overlaps(placed)
    return placed


def walk(placed: Sequence[Placed]) -> Iterator[Placed]:
    """Every placed panel, rows' children included, in layout order."""
    for p in placed:
        yield p
        yield from p.children


def _check_overlaps(placed: Sequence[Placed]) -> None:
    visible = [p for top in placed for p in (top, *_expanded_children(top))]
    _check_boxes(visible)
    for top in placed:
        if isinstance(top.item, Row) and top.item.collapsed:
            _check_boxes(top.children)


def _expanded_children(top: Placed) -> tuple[Placed, ...]:
    return () if isinstance(top.item, Row) and top.item.collapsed else top.children


def _check_boxes(boxes: Sequence[Placed]) -> None:
    # GridPos.overlaps on plain tuples: every pair of every dashboard is compared
    edges = [(p.pos.x, p.pos.x + p.pos.w, p.pos.y, p.pos.y + p.pos.h) for p in boxes]
    for i, (left, right, top, bottom) in enumerate(edges):
        for j in range(i + 1, len(edges)):
            other = edges[j]
            if left < other[1] and other[0] < right and top < other[3] and other[2] < bottom:
                a, b = boxes[i], boxes[j]
                raise DashkitError(f"overlaps panel {_title(b.item)!r} at {b.pos.to_json_data()}",
                                   panel=_title(a.item), file=site_of(a.item))


def _title(item: Item) -> str:
    return item.title


def site_of(item: Item) -> str | None:
    """``file:line`` of the builder call that made ``item`` (rows record none)."""
    origin = getattr(item, "origin", None)
    return user_site(origin) if origin else None
