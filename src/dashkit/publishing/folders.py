"""The folder publish writes into, found or created: a title or a path of titles
(``Platform/Payments``: Grafana 11+'s nested folders, ``parentUid``), each with a uid derived
from its path. A folder that has the derived uid but another title or parent is another team's:
a conflict, never silently shared."""
from __future__ import annotations

from typing import Any

from dashkit.clients.grafana import GrafanaClient
from dashkit.clients.http import OutcomeUnknown, Response, clean_text
from dashkit.errors import DashkitError
from dashkit.project.provisioning import folder_uid
from dashkit.publishing.results import auth_error
from dashkit.publishing.store import what_came_back


class FolderError(DashkitError):
    """The folder cannot be found or created as asked: nothing can be published into it."""


#: Grafana's default ``[folder] max_nested_folder_depth`` (pkg/services/folder/model.go).
MAX_DEPTH = 8


def folder_path(folder: str) -> list[str]:
    """The folder titles from the root down: ``Platform/Payments`` is two."""
    titles = [part.strip() for part in folder.split("/")]
    if not all(titles) or len(titles) > MAX_DEPTH:
        raise FolderError(f"folder {clean_text(folder, 80)!r}: give titles separated by '/', none "
                           f"empty, at most {MAX_DEPTH} deep")
    return titles


def _found(response: Response) -> dict[str, Any] | None:
    body = response.body
    return body if response.status == 200 and isinstance(body, dict) else None


def _check(folder: dict[str, Any], uid: str, title: str | None, parent: str) -> None:
    """The folder Grafana holds under ``uid`` is the one asked for (``title`` None: any title,
    its uid was given)."""
    if folder.get("uid") != uid:
        raise FolderError(f"Grafana's answer for folder {uid!r} is not that folder (is this "
                           "Grafana?); nothing was written")
    held, under = str(folder.get("title", "")), str(folder.get("parentUid") or "")
    if title is not None and held != title:
        raise FolderError(f"folder uid {uid!r} is taken by folder {clean_text(held, 80)!r}, not "
                           f"{clean_text(title, 80)!r}: another team's folder; give --folder-uid "
                           "or another title; nothing was written")
    if under != parent:
        raise FolderError(f"folder {uid!r} is under {under or '(root)'!r}, not {parent or '(root)'!r}"
                           " (a Grafana without nested folders keeps every folder at the root); "
                           "nothing was written")


def _one(client: GrafanaClient, uid: str, title: str, check_title: bool, parent: str,
         dry_run: bool) -> bool:
    """Find or create one folder; False when it is missing and this is a dry run."""
    wanted = title if check_title else None
    response = client.get_folder(uid)
    if (error := auth_error(response)) is not None:
        raise error
    if (found := _found(response)) is not None:
        _check(found, uid, wanted, parent)
        return True
    if response.status != 404:
        raise FolderError(f"cannot read folder {uid!r}: HTTP {response.status} {response.message}")
    if dry_run:
        return False
    try:
        created = client.create_folder(uid, title, parent)
    except OutcomeUnknown:
        created = Response(0, None)
    if (made := _found(created)) is not None:
        _check(made, uid, wanted, parent)
        return True
    # lost answer, 409 or 412 (created meanwhile): fine if it is there now, and the same folder
    if (found := _found(client.get_folder(uid))) is not None:
        _check(found, uid, wanted, parent)
        return True
    raise FolderError(f"cannot create folder {clean_text(title, 80)!r} ({uid}): "
                       f"{what_came_back(created)}")


def ensure_folder(client: GrafanaClient, path: list[str], explicit_uid: str | None,
                  dry_run: bool) -> str:
    """The uid of the last folder of ``path``, each one found or created under the one before
    (a dry run creates nothing)."""
    parent = ""
    for depth, title in enumerate(path, start=1):
        last = depth == len(path)
        uid = explicit_uid if last and explicit_uid else folder_uid("/".join(path[:depth]))
        if not _one(client, uid, title, not (last and explicit_uid), parent, dry_run):
            return explicit_uid or folder_uid("/".join(path))
        parent = uid
    return parent
