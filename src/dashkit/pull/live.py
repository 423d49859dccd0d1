"""The live dashboards pull reads, through whichever API publish would use, with publish's own
rule for what this project may touch: another project's dashboard, one in another folder and
one dashkit never published are refused, never pulled."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from dashkit.clients.grafana import GrafanaClient
from dashkit.errors import DashkitError
from dashkit.project.compiled import Compiled
from dashkit.publishing import resources
from dashkit.publishing.classic import ClassicStore
from dashkit.publishing.decisions import Scope, refusal
from dashkit.publishing.folders import ensure_folder, folder_path
from dashkit.publishing.publisher import FolderTarget, check_health
from dashkit.publishing.store import Store

#: Why a dashboard only in the build is not pulled (nothing to pull: not a failure).
NOT_IN_GRAFANA = "not in Grafana (only in the build)"


@attrs.frozen
class LiveModel:
    """A dashboard's live model, or why it is not pulled (``model`` None)."""
    uid: str
    model: dict[str, Any] | None
    refused: str = ""
    #: Read from a v2 dashboard (its classic form, which the build is compared through).
    v2: bool = False


def read_live(compiled: Sequence[Compiled], client: GrafanaClient, target: FolderTarget, *,
              api: str = "legacy", schema: str = "v1", org: int = 1,
              project: str | None = None) -> list[LiveModel]:
    """Each built dashboard as Grafana has it (read only: nothing is ever written to Grafana)."""
    check_health(client)
    resource_api = resources.choose_api(client, schema, org, api)
    folder = ensure_folder(client, folder_path(target.folder), target.folder_uid, dry_run=True)
    store: Store = (ClassicStore(client, folder) if resource_api is None
                    else resources.ResourceStore(client, resource_api, folder))
    scope = Scope(project or folder, folder)
    v2 = resource_api is not None and resource_api.schema == "v2"
    found = []
    for item in compiled:
        try:
            live = store.read(item.uid)
        except DashkitError as error:  # this dashboard only: the others are still pulled
            found.append(LiveModel(item.uid, None, f"cannot read it: {error.message}"))
            continue
        if live is None:
            found.append(LiveModel(item.uid, None, NOT_IN_GRAFANA))
            continue
        refused = refusal(live, scope) if live.manager is None else "provisioned: change the files"
        found.append(LiveModel(item.uid, None if refused else live.model,
                               (refused or "").split("; --force")[0], v2))
    return found
