"""Where Grafana draws panels: its grid compacts vertically, so a ``gridPos`` is a wish.

Grafana's dashboard grid (scenes' ``SceneGridLayoutRenderer``) is react-grid-layout with no
``compactType`` given, that is its default ``"vertical"``: ``buildGridLayout`` lists the panels
and rows on the page (an expanded row's panels after it, a collapsed row's not), sorts them by
``y`` then ``x`` (``sortGridLayout``), and react-grid-layout's ``compact`` settles each in that
order against the ones already settled: ``compactItem`` raises it while the place one row up is
free, then, while it overlaps one, ``resolveCompactionCollision`` pushes it below that one,
pushing down first whatever later item it would land on. So a gap above a panel closes and
overlapping panels are stacked, never drawn on top of each other. Pure: preview draws these
positions, lint says when a source relies on them.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from dashkit.grafana.facts import GRID_COLUMNS
from dashkit.grafana.model import as_int, as_object

#: A panel without ``gridPos``: PanelModel's defaults (v2's buildGridItemKind writes the same).
UNPLACED_WIDTH, UNPLACED_HEIGHT = 6, 3


@attrs.define
class Cell:
    """One grid item: ``key`` names it (its index in the list given)."""

    key: int
    x: int
    y: int
    w: int
    h: int


def _collides(a: Cell, b: Cell) -> bool:
    """react-grid-layout's ``collides``: the same item never collides with itself."""
    return (a.key != b.key and a.x + a.w > b.x and a.x < b.x + b.w
            and a.y + a.h > b.y and a.y < b.y + b.h)


def _first_collision(settled: Iterable[Cell], item: Cell) -> Cell | None:
    return next((other for other in settled if _collides(other, item)), None)


def _push_down(order: list[Cell], item: Cell, to_y: int) -> None:
    """``resolveCompactionCollision`` on the y axis: ``item`` steps one row down, every later
    item (in ``order``) it then overlaps is pushed below where it goes, the same way, and then
    it moves to ``to_y``. The recursion as a stack: a hostile file can chain thousands."""
    index = {c.key: i for i, c in enumerate(order)}
    item.y += 1
    stack: list[tuple[Cell, int, int]] = [(item, to_y, index[item.key] + 1)]
    while stack:
        current, target, next_index = stack.pop()
        nested = None
        for i in range(next_index, len(order)):
            other = order[i]
            if other.y > current.y + current.h:
                break
            if _collides(current, other):
                nested = (other, target + current.h, index[other.key] + 1)
                stack.append((current, target, i + 1))  # resumed once ``other`` is down
                break
        if nested is None:
            current.y = target
        else:
            nested[0].y += 1
            stack.append(nested)


def settled(cells: Sequence[Cell]) -> bool:
    """Whether compaction moves nothing: no two cells overlap and each lies on the top line or
    rests on a cell right above it (each then stops where it is: by induction in sort order).
    A laid-out dashkit dashboard always is, and this costs a tenth of the simulation."""
    for i, item in enumerate(cells):
        if item.x < 0 or item.y < 0:
            return False
        if item.y > 0 and not any(c is not item and c.y + c.h == item.y and c.x < item.x + item.w
                                  and c.x + c.w > item.x for c in cells):
            return False
        if any(_collides(item, other) for other in cells[i + 1:]):
            return False
    return True


def compact(cells: Sequence[Cell]) -> list[Cell]:
    """react-grid-layout's ``compact(layout, "vertical")``: the cells where Grafana draws them,
    in the order given (the input is not changed). Where their keys are distinct (they only
    tell cells apart) the answer depends on the positions alone, in their order, and is
    remembered by them: import and lint ask it of the same layout three times."""
    if len({c.key for c in cells}) == len(cells):
        drawn = _compacted(tuple((c.x, c.y, c.w, c.h) for c in cells))
        return [Cell(c.key, *position) for c, position in zip(cells, drawn)]
    return _compact(cells)


@functools.lru_cache(maxsize=256)
def _compacted(positions: tuple[tuple[int, int, int, int], ...]) -> tuple[tuple[int, int, int, int], ...]:
    drawn = _compact([Cell(i, *position) for i, position in enumerate(positions)])
    return tuple((c.x, c.y, c.w, c.h) for c in drawn)


def _compact(cells: Sequence[Cell]) -> list[Cell]:
    if settled(cells):
        return [Cell(c.key, c.x, c.y, c.w, c.h) for c in cells]
    return simulate(cells)


def simulate(cells: Sequence[Cell]) -> list[Cell]:
    """``compact`` step by step, as react-grid-layout does it."""
    order = sorted((Cell(c.key, c.x, c.y, c.w, c.h) for c in cells), key=lambda c: (c.y, c.x))
    settled: list[Cell] = []
    drawn: dict[int, Cell] = {}
    for original in order:
        item = Cell(original.key, original.x, original.y, original.w, original.h)
        item.y = min(max((c.y + c.h for c in settled), default=0), item.y)
        if item.y > 0 and _first_collision(settled, item) is None:
            # compactItem's ``while (l.y > 0 && !collision) l.y--`` in one step: up to the
            # lowest row where a settled cell in its columns would overlap it, else the top
            rows = [c.y + c.h - 1 for c in settled
                    if c.x < item.x + item.w and c.x + c.w > item.x and c.y + c.h - 1 < item.y]
            item.y = max([0, *rows])
        while (blocker := _first_collision(settled, item)) is not None:
            _push_down(order, item, blocker.y + blocker.h)
        item.y, item.x = max(item.y, 0), max(item.x, 0)
        settled.append(item)
        drawn[item.key] = item
    return [drawn[c.key] for c in cells]


def cell(key: int, grid_pos: Any) -> Cell:
    """A panel's ``gridPos`` as a cell (a missing one: PanelModel's defaults), kept inside the
    columns as react-grid-layout's ``correctBounds`` does before it compacts."""
    pos = as_object(grid_pos)
    x, w = as_int(pos.get("x")), max(1, as_int(pos.get("w"), UNPLACED_WIDTH))
    if x + w > GRID_COLUMNS:
        x = GRID_COLUMNS - w
    if x < 0:
        x, w = 0, GRID_COLUMNS
    return Cell(key, x, as_int(pos.get("y")), w, max(1, as_int(pos.get("h"), UNPLACED_HEIGHT)))


def _cells(panels: Sequence[Any]) -> list[Cell]:
    """A row is a full-width bar one cell high whatever its gridPos says (SceneGridRow's state
    is ``x`` 0, ``width`` 24, ``height`` 1; only its ``y`` is read)."""
    return [Cell(i, 0, cell(i, panel.get("gridPos")).y, GRID_COLUMNS, 1)
            if panel.get("type") == "row" else cell(i, panel.get("gridPos"))
            for i, panel in enumerate(map(as_object, panels))]


def drawn_grid(panels: Sequence[Any]) -> list[dict[str, int]]:
    """The ``gridPos`` Grafana draws each of a dashboard's top-level panels (rows included) at,
    in their order; a collapsed row's panels are not on the page, so they do not take part."""
    placed = compact(_cells(panels))
    return [{"h": c.h, "w": c.w, "x": c.x, "y": c.y} for c in placed]


def compaction_moves(panels: Sequence[Any]) -> list[tuple[int, dict[str, int], dict[str, int]]]:
    """The top-level panels Grafana draws elsewhere than their ``gridPos`` says: (index, where
    the source puts it, where it is drawn)."""
    written = _cells(panels)
    moves = []
    for before, after in zip(written, compact(written)):
        if (before.x, before.y) != (after.x, after.y):
            moves.append((before.key, {"h": before.h, "w": before.w, "x": before.x, "y": before.y},
                          {"h": after.h, "w": after.w, "x": after.x, "y": after.y}))
    return moves


def compaction_summary(panels: Sequence[Any], named: int = 3) -> str:
    """The panels Grafana draws elsewhere, the first few by title ("" when none): what lint
    and import say of a source that relies on the compaction."""
    moves = compaction_moves(panels)
    said = ", ".join(f"{as_object(panels[i]).get('title')!r} at y={after['y']}, x={after['x']} "
                     f"(gridPos y={before['y']}, x={before['x']})" for i, before, after in moves[:named])
    return said + (f" and {len(moves) - named} more" if len(moves) > named else "")
