"""What publish needs of a Grafana API, whichever one it is: a store of dashboards that reads,
saves, deletes, lists the ones dashkit manages and reads their history. The classic API
(classic.py, ``/api/dashboards``) and the dashboard API (resources.py,
``/apis/dashboard.grafana.app``) are its two implementations; the decisions (decisions.py) are
one loop over a store, so every rule is written once and holds on both APIs."""
from __future__ import annotations

from typing import Any, Protocol

import attrs

from dashkit.clients.http import Response, clean_text
from dashkit.project.compiled import Compiled
from dashkit.publishing.history import Published


@attrs.frozen
class Marker:
    """What dashkit records on what it publishes: the hash of the content it wrote, the project
    that owns it and the folder it published it to ("" for both: a dashkit before ownership)."""
    hash: str
    project: str = ""
    folder: str = ""

    def as_json(self) -> dict[str, str]:
        return {"hash": self.hash, "project": self.project, "folder": self.folder}

    @classmethod
    def read(cls, value: Any) -> Marker | None:
        """The marker a dashboard carries (the classic ``dashkit`` key), or None."""
        if not isinstance(value, dict) or not isinstance(value.get("hash"), str):
            return None
        return cls(value["hash"], clean_text(str(value.get("project") or ""), 80),
                   clean_text(str(value.get("folder") or ""), 80))


@attrs.frozen
class Live:
    """A dashboard as Grafana answered it, reduced to what the decisions read."""
    uid: str
    title: str
    #: The classic model (what the changes are described on).
    model: dict[str, Any]
    version: int | None
    folder_uid: str
    url: str
    #: The hash of its content, as the store compares it with the build's.
    content: str
    marker: Marker | None
    #: Its content is still the one its marker's hash records (no edit since published).
    intact: bool
    #: Who else manages it ("" for Grafana's file provisioning; None: nobody).
    manager: str | None = None
    updated_by: str = ""
    #: The store's own answer (the resource's metadata: sent back on an update).
    source: Any = None

    def owned_by_another(self, project: str) -> bool:
        """Its marker names another project (an unnamed one predates ownership: not another)."""
        return self.marker is not None and self.marker.project not in ("", project)


class Store(Protocol):
    """One Grafana API's dashboards, as the decisions use them."""

    def read(self, uid: str) -> Live | None:
        """The dashboard, or None when Grafana says there is none; DashkitError when the
        answer is not a dashboard (a line saying what came back)."""

    def built(self, item: Compiled) -> str:
        """The hash of what a save of ``item`` writes, to compare with :attr:`Live.content`."""

    def save(self, item: Compiled, live: Live | None, marker: Marker) -> Response:
        """Send ``item`` (a create when ``live`` is None, else an update locked by its version)."""

    def proven(self, item: Compiled, response: Response) -> tuple[int | None, str] | None:
        """The saved version and URL when the answer proves the save, else None."""

    def delete(self, uid: str) -> Response: ...

    def managed(self, folder_uid: str) -> list[str]:
        """The uids that may be dashkit's in the folder: candidates, never proof."""

    def published(self, uid: str) -> Published | None:
        """The version dashkit last published, from Grafana's history."""


def what_came_back(response: Response) -> str:
    """A one-line account of an answer: status, content type and its first printable bytes."""
    body = response.body if isinstance(response.body, str) else repr(response.body)
    kind = response.content_type.split(";")[0].strip() or "no content type"
    return f"HTTP {response.status}, {clean_text(kind, 60)}, {clean_text(body, 60)!r}"
