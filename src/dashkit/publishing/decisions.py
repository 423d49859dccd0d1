"""What publish decides, one straight loop over a :class:`~store.Store`, whichever Grafana API
it is: no-op, refusal (another manager, another project, another folder, no marker, an edit made
in Grafana), take-over with ``--force``, a save counted only when Grafana's answer proves it, a
lost answer read back before a re-send, and what prune may delete. Every rule is written once,
here, and so holds on both APIs."""
from __future__ import annotations

from collections.abc import Callable

import attrs

from dashkit.clients.http import OutcomeUnknown, clean_text
from dashkit.errors import DashkitError
from dashkit.grafana.compare import describe_changes
from dashkit.project.compiled import Compiled
from dashkit.publishing.history import edit_conflict
from dashkit.publishing.results import SAVE_ATTEMPTS, Action, PublishResult, provisioned
from dashkit.publishing.store import Live, Marker, Store, what_came_back


@attrs.frozen
class Scope:
    """Who publishes, where, and how boldly: the same for every dashboard of a run."""
    project: str
    folder_uid: str
    force: bool = False
    dry_run: bool = False
    #: Called before each save (the folder is created before the first one).
    before_write: Callable[[], object] = lambda: None

    def marker(self, content: str) -> Marker:
        return Marker(content, self.project, self.folder_uid)


def _owner(live: Live) -> str:
    return f"project {clean_text(live.marker.project, 60)!r}" if live.marker else "nobody"


def publish_item(store: Store, item: Compiled, scope: Scope) -> PublishResult:
    """Create, update or leave one dashboard, never overwriting what is not this project's."""
    try:
        live = store.read(item.uid)
    except DashkitError as error:
        return PublishResult(item.uid, item.title, Action.FAILED, detail=f"cannot read it: {error}")
    if live is None:
        changes = (f"+ new dashboard with {item.panel_count} panels",)
        if scope.dry_run:
            return PublishResult(item.uid, item.title, Action.CREATE, changes=changes, dry_run=True)
        return save(store, item, None, scope, Action.CREATE, changes)
    return decide(store, item, live, scope)


def refusal(live: Live, scope: Scope) -> str | None:
    """Why this run may not write over ``live`` without ``--force`` (None: it may)."""
    folder = clean_text(live.folder_uid, 60) or "(root)"
    if live.owned_by_another(scope.project):
        return (f"owned by {_owner(live)} in folder {folder!r}, not by this project "
                f"({scope.project!r}); --force takes it over")
    if live.folder_uid != scope.folder_uid:
        return (f"in folder {folder!r}, the build says {scope.folder_uid!r}: another team's "
                "dashboard with the same uid, or moved in Grafana; --force moves it")
    if live.marker is None:
        return ("exists in Grafana but was not published by dashkit (no dashkit marker); "
                "--force takes it over")
    return None


def decide(store: Store, item: Compiled, live: Live, scope: Scope) -> PublishResult:
    """Leave, refuse or update a dashboard that is in Grafana."""
    uid, title, version, url = item.uid, item.title, live.version, live.url
    mine = not live.owned_by_another(scope.project)
    if live.content == store.built(item) and live.folder_uid == scope.folder_uid and mine:
        return PublishResult(uid, title, Action.UNCHANGED, version, url, dry_run=scope.dry_run)
    if live.manager is not None:
        return provisioned(item, live.manager)
    refused = None if scope.force else refusal(live, scope)
    if refused is not None:
        return PublishResult(uid, title, Action.CONFLICT, version, url, detail=refused)
    if not scope.force and not live.intact:
        who = f" by {clean_text(live.updated_by, 60)}" if live.updated_by else ""
        return edit_conflict(item, live.model, version, url, who, store.published(uid))
    changes = tuple(describe_changes(live.model, item.model))
    if live.folder_uid != scope.folder_uid:
        changes += (f"~ folder {clean_text(live.folder_uid) or '(root)'} -> {scope.folder_uid}",)
    if not mine:
        changes += (f"~ owner {_owner(live)} -> project {scope.project!r}",)
    if scope.dry_run:
        return PublishResult(uid, title, Action.UPDATE, version, url, changes=changes, dry_run=True)
    return save(store, item, live, scope, Action.UPDATE, changes)


def save(store: Store, item: Compiled, live: Live | None, scope: Scope, action: Action,
         changes: tuple[str, ...]) -> PublishResult:
    """One save, sent again only once a read-back shows the previous send did not land (at most
    :data:`SAVE_ATTEMPTS`, never after a timeout); it counts only when the answer proves it."""
    uid, title = item.uid, item.title
    version = live.version if live is not None else None
    marker = scope.marker(store.built(item))
    scope.before_write()
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            response = store.save(item, live, marker)
            break
        except OutcomeUnknown as unknown:
            try:
                landed = store.read(uid)
            except DashkitError:
                landed = None
            if (landed is not None and landed.intact and landed.marker == marker
                    and landed.folder_uid == scope.folder_uid):
                return PublishResult(uid, title, action, landed.version, landed.url, changes=changes,
                                     detail="the save's answer was lost; read back, it had landed")
            if unknown.timed_out or attempt == SAVE_ATTEMPTS:
                return PublishResult(uid, title, Action.FAILED, version, detail=(
                    f"{unknown.message}; read back, it had not landed: not re-sent, publish again"))
    done = store.proven(item, response)
    if done is not None:
        return PublishResult(uid, title, action, done[0], done[1], changes=changes)
    body = response.body if isinstance(response.body, dict) else {}
    if response.status == 409 or body.get("status") == "version-mismatch":
        return PublishResult(uid, title, Action.CONFLICT, version, detail=(
            f"changed in Grafana between read and write (HTTP {response.status}: "
            f"{response.message}); not retried, publish again to see the change"))
    if response.status == 400 and "provisioned" in response.message.lower():
        return provisioned(item)
    if 200 <= response.status < 300:
        return PublishResult(uid, title, Action.FAILED, version, detail=(
            f"Grafana's answer does not prove the save ({what_came_back(response)}): is the URL "
            "Grafana's, not a proxy's page?"))
    return PublishResult(uid, title, Action.FAILED, version,
                         detail=f"HTTP {response.status}: {response.message}")


def prune(store: Store, keep: set[str], scope: Scope) -> list[PublishResult]:
    """Delete what this project published in the folder and the build no longer has. Each
    listed candidate is read first: it is deleted only when its own answer shows it is this
    project's, in this folder, and unchanged since published (edited: only with ``--force``).
    Another project's dashboard is never deleted, ``--force`` or not."""
    results = []
    for uid in sorted(set(store.managed(scope.folder_uid)) - keep):
        try:
            live = store.read(uid)
        except DashkitError:
            continue  # unreadable: not proven to be ours
        if (live is None or live.marker is None or live.manager is not None
                or live.owned_by_another(scope.project) or live.folder_uid != scope.folder_uid):
            continue  # never touch what this project did not publish here
        results.append(prune_one(store, live, scope))
    return results


def prune_one(store: Store, live: Live, scope: Scope) -> PublishResult:
    """Delete one dashboard, unless it was edited in Grafana since; a delete whose answer was
    lost is read back, never re-sent."""
    uid, title, version = live.uid, live.title, live.version
    if not live.intact and not scope.force:
        return PublishResult(uid, title, Action.CONFLICT, version, detail=(
            "no longer in the build, but edited in Grafana since publish: not deleted "
            "(--force deletes it)"))
    if scope.dry_run:
        return PublishResult(uid, title, Action.DELETE, version, dry_run=True,
                             changes=("- dashboard no longer in the build",))
    try:
        deleted = store.delete(uid)
    except OutcomeUnknown as unknown:
        try:
            is_gone = store.read(uid) is None
        except DashkitError:
            is_gone = False
        return PublishResult(uid, title, Action.DELETE if is_gone else Action.FAILED, version, detail=(
            "the delete's answer was lost; read back, it is gone" if is_gone else
            f"{unknown.message}; read back, it is still there: not re-sent"))
    if deleted.status in (200, 202):
        return PublishResult(uid, title, Action.DELETE, version)
    return PublishResult(uid, title, Action.FAILED, version,
                         detail=f"delete failed: HTTP {deleted.status}: {deleted.message}")
