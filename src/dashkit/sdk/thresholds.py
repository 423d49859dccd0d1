"""Threshold colour steps, shared by panels and the alerts whose limits they draw."""
from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class Thresholds:
    """Colour steps; the first step has no value (it is the base colour)."""

    steps: tuple[tuple[float | None, str], ...]
    mode: str = "absolute"

    def to_json_data(self) -> list[dict[str, Any]]:
        return [{"color": color, "value": None if i == 0 else value}
                for i, (value, color) in enumerate(self.steps)]


def above(limit: float, *, warn: float | None = None, ok: str = "green") -> Thresholds:
    """Red at and above ``limit`` (orange from ``warn``): for error rates, latency, usage."""
    steps: list[tuple[float | None, str]] = [(None, ok)]
    if warn is not None:
        steps.append((warn, "orange"))
    steps.append((limit, "red"))
    return Thresholds(tuple(steps))


def below(limit: float, *, warn: float | None = None) -> Thresholds:
    """Red below ``limit`` (orange below ``warn``): for success and acceptance rates."""
    steps: list[tuple[float | None, str]] = [(None, "red"), (limit, "orange" if warn else "green")]
    if warn is not None:
        steps.append((warn, "green"))
    return Thresholds(tuple(steps))
