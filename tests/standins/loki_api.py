"""A stand-in for Loki's query API, for tests: a test double of Loki's documented
``GET /loki/api/v1/query_range`` and label endpoints, not Loki (which cannot be installed here).

It holds log streams in memory and understands the LogQL the tests send: a stream selector,
``|=`` line filters, ``| json`` (a parsed label that clashes with a stream label gets the
``_extracted`` suffix, as in Loki), label filters joined by ``and``/``or``, and
``sum by (…) (count_over_time(… [w]))``. Responses follow Loki's documented shapes: ``streams``
for log queries, ``matrix`` for metric queries, and plain-text 400 bodies for parse errors.
"""
from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from standins.loopback import LoopbackServer, QuietHandler

_MATCHER = re.compile(r'\s*(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*')
_METRIC = re.compile(r"^sum(?:\s+by\s*\(([^)]*)\))?\s*\(\s*count_over_time\((.*)\[[^\]]+\]\s*\)\s*\)$",
                     re.S)


def _match(op: str, actual: str, expected: str) -> bool:
    if op == "=":
        return actual == expected
    if op == "!=":
        return actual != expected
    found = re.fullmatch(expected, actual) is not None
    return found if op == "=~" else not found


def _split_pipeline(text: str) -> list[str]:
    """Pipeline stages: split on ``|`` outside quoted strings."""
    stages, current, quote = [], "", ""
    for ch in text:
        if quote:
            current += ch
            if ch == quote and not current.endswith("\\" + quote):
                quote = ""
        elif ch in "\"`":
            quote, current = ch, current + ch
        elif ch == "|":
            stages.append(current)
            current = ""
        else:
            current += ch
    return [*stages, current]


class LokiAPIStandIn:
    def __init__(self) -> None:
        self.streams: list[tuple[dict[str, str], list[tuple[int, str]]]] = []
        self.requests: list[str] = []
        self._http = LoopbackServer(self._handler())
        self.url = self._http.url

    def start(self) -> LokiAPIStandIn:
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()

    def push(self, labels: dict[str, str], lines: list[tuple[int, str]]) -> None:
        self.streams.append((labels, lines))

    # --- LogQL subset ---------------------------------------------------------------------------
    def _select(self, query: str) -> list[tuple[dict[str, str], int, str, dict[str, str]]]:
        if query.count("{") != query.count("}") or query.count("(") != query.count(")"):
            raise ValueError(f"parse error at line 1, col {len(query)}: syntax error: unexpected $end")
        selector = re.match(r"\s*\{([^}]*)\}(.*)$", query, re.S)
        if not selector:
            raise ValueError("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER, "
                             "expecting {")
        matchers = [_MATCHER.fullmatch(part) for part in selector.group(1).split(",") if part.strip()]
        if not matchers or any(m is None for m in matchers):
            raise ValueError("parse error: queries require at least one regexp or equality matcher "
                             "that does not have an empty-compatible value")
        stages = [s.strip() for s in _split_pipeline(selector.group(2)) if s.strip()]
        rows = []
        for labels, lines in self.streams:
            if not all(_match(m.group(2), labels.get(m.group(1), ""), m.group(3)) for m in matchers):
                continue
            for ts, line in lines:
                keep, extracted = True, dict(labels)
                for stage in stages:
                    if stage.startswith("="):
                        keep = json.loads(stage[1:].strip()) in line
                    elif stage == "json":
                        for key, value in json.loads(line).items():
                            extracted[f"{key}_extracted" if key in labels else key] = str(value)
                    else:
                        keep = self._label_filter(stage, extracted)
                    if not keep:
                        break
                if keep:
                    rows.append((labels, ts, line, extracted))
        return rows

    @staticmethod
    def _label_filter(stage: str, labels: dict[str, str]) -> bool:
        for alternative in re.split(r"\s+or\s+", stage):
            conditions = re.split(r"\s+and\s+|\s*,\s*", alternative)
            if all(_match(m.group(2), labels.get(m.group(1), ""), m.group(3))
                   for m in (_MATCHER.fullmatch(c) for c in conditions) if m is not None):
                return True
        return False

    def query_range(self, query: str, start: int, end: int, limit: int) -> dict[str, Any]:
        metric = _METRIC.match(query.strip())
        if metric:
            by = [b.strip() for b in (metric.group(1) or "").split(",") if b.strip()]
            groups: dict[tuple[str, ...], int] = {}
            for labels, ts, _line, _ in self._select(metric.group(2)):
                if start <= ts <= end:
                    key = tuple(labels.get(b, "") for b in by)
                    groups[key] = groups.get(key, 0) + 1
            result = [{"metric": dict(zip(by, key)), "values": [[end / 1e9, str(n)]]}
                      for key, n in sorted(groups.items())]
            return {"resultType": "matrix", "result": result}
        streams: dict[tuple[tuple[str, str], ...], list[list[str]]] = {}
        for labels, ts, line, _ in self._select(query):
            if start <= ts <= end:
                streams.setdefault(tuple(sorted(labels.items())), []).append([str(ts), line])
        result = [{"stream": dict(key), "values": sorted(values, reverse=True)[:limit]}
                  for key, values in sorted(streams.items())]
        return {"resultType": "streams", "result": result}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        loki = self

        class Handler(QuietHandler):

            def do_GET(self) -> None:  # noqa: N802
                parsed = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                loki.requests.append(parsed.path)
                if parsed.path == "/loki/api/v1/query_range":
                    try:
                        data = loki.query_range(query["query"], int(query["start"]), int(query["end"]),
                                                int(query.get("limit", 100)))
                    except ValueError as error:
                        self.send(400, str(error).encode(), "text/plain; charset=utf-8")
                        return
                    body = {"status": "success", "data": {**data, "stats": {}}}
                elif parsed.path.startswith("/loki/api/v1/label/") and parsed.path.endswith("/values"):
                    label = parsed.path.split("/")[-2]
                    values = sorted({labels[label] for labels, _ in loki.streams if label in labels})
                    body = {"status": "success", "data": values}
                else:
                    self.send(404, b"404 page not found\n", "text/plain; charset=utf-8")
                    return
                self.send(200, json.dumps(body).encode(), "application/json")

        return Handler
