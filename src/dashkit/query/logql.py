"""LogQL helpers for Loki: stream selectors on real stream labels and pino-aware filters."""
from __future__ import annotations

from collections.abc import Iterable

import attrs

from dashkit.errors import DashkitError
from dashkit.query.promql import Matchers, render_matchers

#: pino's numeric levels for error and fatal, and their names (when a level formatter is set).
PINO_ERROR_LEVELS = ("50", "60", "error", "fatal")

#: Labels that make one stream per request: selecting on them explodes Loki's index.
HIGH_CARDINALITY_LABELS = frozenset({"trace_id", "span_id", "request_id", "user_id"})


@attrs.frozen
class LogQuery:
    """A LogQL query that remembers its stream labels, for lint and the catalog."""
    selector: str
    pipeline: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join((self.selector, *self.pipeline))

    def __str__(self) -> str:
        return self.text

    def pipe(self, stage: str) -> LogQuery:
        return attrs.evolve(self, pipeline=(*self.pipeline, stage))

    def parse_json(self) -> LogQuery:
        """The `| json` stage: each line parsed as JSON into labels (named so it is not read as a serialiser)."""
        return self.pipe("| json")

    def contains(self, text: str) -> LogQuery:
        return self.pipe(f"|= {_quote(text)}")

    def where(self, condition: str) -> LogQuery:
        """A label filter after a parser, e.g. ``where('trace_id != ""')``."""
        return self.pipe(f"| {condition}")

    def errors(self) -> LogQuery:
        """Error and fatal lines, whether pino wrote the level as a number or a name.

        ``| json`` renames a parsed ``level`` to ``level_extracted`` when ``level`` is also a
        stream label (as Promtail sets it here), so both are tested.
        """
        query = self if "| json" in self.pipeline else self.parse_json()
        levels = "|".join(PINO_ERROR_LEVELS)
        return query.where(f'level=~"(?i){levels}" or level_extracted=~"(?i){levels}"')

    def line_format(self, template: str) -> LogQuery:
        return self.pipe(f"| line_format {_quote(template)}")


def stream(where: Matchers, *, labels: Iterable[str] | None = None) -> LogQuery:
    """``{label="value", …}``; ``labels`` are the stream labels that exist, to catch typos."""
    if not where:
        raise DashkitError("a LogQL query needs at least one stream matcher")
    for label in where:
        if label in HIGH_CARDINALITY_LABELS:
            raise DashkitError(f"stream selector on high-cardinality label {label!r}: parse it from "
                               "the line with | json instead")
        if labels is not None and label not in set(labels):
            raise DashkitError(f"{label!r} is not a stream label (known: {', '.join(sorted(labels))})")
    return LogQuery("{" + ", ".join(render_matchers(where)) + "}")


def count_over_time(query: LogQuery, window: str = "$__interval", by: Iterable[str] = ()) -> str:
    """Log lines per window, summed by ``by`` when given: a volume graph."""
    inner = f"count_over_time({query.text} [{window}])"
    by = tuple(by)
    return f"sum by ({', '.join(by)}) ({inner})" if by else f"sum({inner})"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
