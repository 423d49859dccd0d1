"""What publish decides for one dashboard, the same way whichever Grafana API it talks to: each
API (publisher.py for ``/api/dashboards``, resources.py for ``/apis/dashboard.grafana.app``)
reduces Grafana's answer to a :class:`Live` and says how to send, read and delete; the rules
(no-op, another manager, no marker, an edit made in Grafana, read back before a re-send, what
prune may delete) are written once, here."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from dashkit.build.pipeline import Compiled
from dashkit.clients.http import OutcomeUnknown, Response, clean_text
from dashkit.grafana.compare import describe_changes
from dashkit.publishing.history import Published, edit_conflict
from dashkit.publishing.results import SAVE_ATTEMPTS, Action, PublishResult, provisioned


@attrs.frozen
class Live:
    """A dashboard as Grafana answered it, reduced to what the decisions read."""
    #: The classic model (what the changes are described on).
    model: dict[str, Any]
    version: int | None
    folder_uid: str
    url: str
    #: Its content is the build's.
    unchanged: bool
    #: The hash dashkit recorded when it published it (None: no marker), and its content's now.
    marker: str | None
    current: str
    #: Who else manages it ("" for Grafana's file provisioning; None: nobody).
    manager: str | None = None
    updated_by: str = ""

    @property
    def as_published(self) -> bool:
        """Exactly what dashkit sent: the build's content, under an unbroken marker."""
        return self.unchanged and self.marker == self.current


def first_read(item: Compiled, response: Response, dry_run: bool,
               create: Callable[[tuple[str, ...]], PublishResult]) -> PublishResult | None:
    """The result a first read decides: none there (a create), or unreadable; None when the
    dashboard is there to compare."""
    if response.status == 404:
        changes: tuple[str, ...] = (f"+ new dashboard with {item.panel_count} panels",)
        if dry_run:
            return PublishResult(item.uid, item.title, Action.CREATE, changes=changes, dry_run=True)
        return create(changes)
    if response.status != 200:
        return PublishResult(item.uid, item.title, Action.FAILED,
                             detail=f"cannot read it: HTTP {response.status}: {response.message}")
    return None


def decide(item: Compiled, live: Live, folder_uid: str, *, force: bool, dry_run: bool,
           published: Callable[[], Published | None],
           save: Callable[[tuple[str, ...]], PublishResult]) -> PublishResult:
    """Leave, refuse or update a dashboard that is in Grafana, never overwriting an edit made
    there without ``force``."""
    uid, title, version, url = item.uid, item.title, live.version, live.url
    if live.unchanged and live.folder_uid == folder_uid:
        return PublishResult(uid, title, Action.UNCHANGED, version, url, dry_run=dry_run)
    if live.manager is not None:
        return provisioned(item, live.manager)
    if not force and live.marker is None:
        return PublishResult(uid, title, Action.CONFLICT, version, url, detail=(
            "exists in Grafana but was not published by dashkit (no dashkit marker); "
            "--force takes it over"))
    if not force and live.marker != live.current:
        who = f" by {clean_text(live.updated_by, 60)}" if live.updated_by else ""
        return edit_conflict(item, live.model, version, url, who, published())
    changes = tuple(describe_changes(live.model, item.model))
    if live.folder_uid != folder_uid:
        changes += (f"~ folder {clean_text(live.folder_uid) or '(root)'} -> {folder_uid}",)
    if dry_run:
        return PublishResult(uid, title, Action.UPDATE, version, url, changes=changes, dry_run=True)
    return save(changes)


def save_with_read_back(item: Compiled, folder_uid: str, version: int | None, action: Action,
                        changes: tuple[str, ...], send: Callable[[], Response],
                        read_live: Callable[[], Live | None],
                        saved: Callable[[Response], tuple[int | None, str] | None]
                        ) -> PublishResult:
    """One save, sent again only once a read-back shows the previous send did not land (at most
    :data:`SAVE_ATTEMPTS`, never after a timeout); ``saved`` reads a success's version and URL."""
    uid, title = item.uid, item.title
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            response = send()
            break
        except OutcomeUnknown as unknown:
            live = read_live()
            if live is not None and live.as_published and live.folder_uid == folder_uid:
                return PublishResult(uid, title, action, live.version, live.url, changes=changes,
                                     detail="the save's answer was lost; read back, it had landed")
            if unknown.timed_out or attempt == SAVE_ATTEMPTS:
                return PublishResult(uid, title, Action.FAILED, version, detail=(
                    f"{unknown.message}; read back, it had not landed: not re-sent, publish again"))
    done = saved(response)
    if done is not None:
        return PublishResult(uid, title, action, done[0], done[1], changes=changes)
    body = response.body if isinstance(response.body, dict) else {}
    if response.status == 409 or body.get("status") == "version-mismatch":
        return PublishResult(uid, title, Action.CONFLICT, version, detail=(
            f"changed in Grafana between read and write (HTTP {response.status}: "
            f"{response.message}); not retried, publish again to see the change"))
    if response.status == 400 and "provisioned" in response.message.lower():
        return provisioned(item)
    return PublishResult(uid, title, Action.FAILED, version,
                         detail=f"HTTP {response.status}: {response.message}")


def prune_one(uid: str, title: str, version: int | None, *, edited: bool, force: bool,
              dry_run: bool, delete: Callable[[], Response], gone: Callable[[], bool]
              ) -> PublishResult:
    """Delete one dashboard dashkit published and the build no longer has, unless it was edited
    in Grafana since; a delete whose answer was lost is read back, never re-sent."""
    if edited and not force:
        return PublishResult(uid, title, Action.CONFLICT, version, detail=(
            "no longer in the build, but edited in Grafana since publish: not deleted "
            "(--force deletes it)"))
    if dry_run:
        return PublishResult(uid, title, Action.DELETE, version, dry_run=True,
                             changes=("- dashboard no longer in the build",))
    try:
        deleted = delete()
    except OutcomeUnknown as unknown:
        is_gone = gone()
        return PublishResult(uid, title, Action.DELETE if is_gone else Action.FAILED, version, detail=(
            "the delete's answer was lost; read back, it is gone" if is_gone else
            f"{unknown.message}; read back, it is still there: not re-sent"))
    if deleted.status in (200, 202):
        return PublishResult(uid, title, Action.DELETE, version)
    return PublishResult(uid, title, Action.FAILED, version,
                         detail=f"delete failed: HTTP {deleted.status}: {deleted.message}")
