"""What Grafana requires and does, written once (CONTRACT.md): the grid, the uid and tag limits,
schema versions, the built-in annotation and how it names queries. Every layer reads them here."""
from __future__ import annotations

import re
from typing import Any

#: The grid is 24 columns wide; a new panel is 12 wide and 8 high unless said otherwise.
GRID_COLUMNS = 24
DEFAULT_WIDTH = 12
DEFAULT_HEIGHT = 8

#: Grafana's uid rule (CONTRACT.md §2): at most 40 characters of ``[A-Za-z0-9_-]``.
MAX_UID_LENGTH = 40
UID_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_UID_LENGTH}}}$")
#: Grafana 12.4+ answers 400 "tag-too-long" above this; older ones fail on MySQL/PostgreSQL.
MAX_TAG_BYTES = 50

#: What dashkit emits: Grafana 10.2's own number, with content already in the shape migrations
#: 39–42 produce, so 10.2 to 13 load it unchanged (CONTRACT.md §1.2, §6).
SCHEMA_VERSION = 38
#: The newest schemaVersion Grafana 12/13's backend converts; above it, it fails.
MAX_SCHEMA_VERSION = 42

#: The annotation Grafana adds on load when missing: emitting it avoids a diff after a UI save.
BUILT_IN_ANNOTATION: dict[str, Any] = {
    "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
    "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
    "type": "dashboard",
}

#: The fields Grafana's types require of a panel's header link (a DashboardLink in
#: @grafana/schema), at the values Grafana's own link editor starts from.
PANEL_LINK_DEFAULTS: dict[str, Any] = {"asDropdown": False, "icon": "external link",
                                       "includeVars": False, "keepTime": False, "tags": [],
                                       "targetBlank": False, "tooltip": "", "type": "link"}

_REF_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ref_id(index: int) -> str:
    """Grafana's ``getRefId``: A…Z, then AA, AB… (the query editor's and the loader's order)."""
    if index < len(_REF_LETTERS):
        return _REF_LETTERS[index]
    return ref_id(index // len(_REF_LETTERS) - 1) + _REF_LETTERS[index % len(_REF_LETTERS)]


def next_ref_id(taken: set[str], start: int = 0) -> str:
    """The first refId from position ``start`` on that no query of the panel uses yet
    (Grafana's ``getNextRefId``, which ``PanelModel.ensureQueryIds`` runs on load)."""
    index = start
    while ref_id(index) in taken:
        index += 1
    return ref_id(index)
