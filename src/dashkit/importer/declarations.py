"""What every generated module shares, and the parts of a dashboard that are not panels:
constants (datasources, named selectors), variables, links and annotations, as dashkit calls."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from dashkit.importer.codecheck import build_value, run_module
from dashkit.importer.hoisting import distinct
from dashkit.importer.pysource import Call, Code
from dashkit.sdk.datasources import DatasourceRef

Json = dict[str, Any]
PRELUDE = """from dashkit import Annotation, Dashboard, DatasourceRef, Link, Row, Target, Thresholds, panels, variables
"""
#: Top-level keys that belong to one Grafana instance or to the export, not to the dashboard.
MACHINE_KEYS = frozenset({"id", "version", "iteration", "gnetId", "__inputs", "__requires",
                          "__elements", "schemaVersion", "style", "hideControls", "sharedCrosshair",
                          "rows", "revision"})
#: Keys the Dashboard call sets itself.
MODELLED_KEYS = frozenset({"uid", "title", "tags", "description", "time", "refresh", "timezone",
                           "graphTooltip", "editable", "weekStart", "panels", "templating", "links",
                           "annotations"})
#: The module's own names, which no name made from input may take: the notes and the dashboard.
NOTES_NAME = "IMPORT_NOTES"
MODULE_NAMES = frozenset({NOTES_NAME, "dashboard"})


def prelude_imports(body: str) -> str:
    """The PRELUDE's imports that ``body`` uses, and no others."""
    lines = []
    words = set(re.findall(r"\w+", body))  # a name is used where it is a whole word
    for line in PRELUDE.splitlines():
        module, _, names = line.partition(" import ")
        used = [n for n in names.split(", ") if n in words]
        if used:
            line = f"{module} import {', '.join(used)}"
            if len(line) > 99:  # one name a line, as a formatter would wrap it
                line = f"{module} import (\n" + "".join(f"    {n},\n" for n in used) + ")"
            lines.append(line)
    return "\n".join(lines) + "\n"



class Declarations:
    """The generator's state and the non-panel parts of the module."""

    def __init__(self, model: Json) -> None:
        self.model = model
        self.notes: list[str] = []
        self.datasources: dict[tuple[str, str], str] = {}
        self.namespace: dict[str, Any] = {}
        self.keys: set[str] = set()
        self.panel_ids: set[int] = set()
        self.shared: set[str] = set()
        self.selectors: dict[str, str] = {}
        #: Per base name of a constant, and of a panel key, the last number given (``distinct``).
        self.counters: dict[str, int] = {}
        self.key_counters: dict[str, int] = {}
        self.namespace = run_module(PRELUDE)
        #: Each Code fragment's value once built (codecheck.build_value): the namespace's names
        #: are only ever added (constant_name never gives a taken one), never rebound.
        self.evaluated: dict[str, Any] = {}

    def constant_name(self, base: str) -> str:
        """An upper-case Python name from input text, distinct from every other constant."""
        base = re.sub(r"[^A-Za-z0-9]+", "_", base).strip("_").upper()[:40].strip("_") or "DS"
        if base[0].isdigit():
            base = f"N_{base}"
        return distinct(base, lambda name: name in self.datasources.values()
                        or name in self.selectors.values() or name in self.shared
                        or name in MODULE_NAMES or name in self.namespace, self.counters)

    def shared_name(self, base: str) -> str:
        """A constant for a value several panels share (taken, so the next one differs)."""
        name = self.constant_name(base)
        self.shared.add(name)
        return name

    def evaluate(self, code: Any, built: Mapping[int, tuple[Any, ...]] | None = None) -> Any:
        """A generated expression, checked by codecheck before it runs (the Call objects in
        ``built`` are taken as built already: codecheck.build_value)."""
        constants = set(self.datasources.values()) | set(self.selectors.values())
        return build_value(code, self.namespace, constants, self.evaluated, built)

    # --- datasources ------------------------------------------------------------------------------
    def datasource(self, raw: Any) -> Code | None:
        if not isinstance(raw, dict) or "uid" not in raw:
            return None
        key = (str(raw.get("type") or ""), str(raw.get("uid")))
        if key not in self.datasources:
            base = re.sub(r"[^A-Za-z0-9]+", "_", key[1]).strip("_") or key[0]
            if base[:1].isdigit():
                base = f"{key[0] or 'DS'}_{base}"
            name = self.constant_name(base)
            self.datasources[key] = name
            self.namespace[name] = DatasourceRef(*key)
        return Code(self.datasources[key])

    # --- dashboard settings: kept as they are, or a note says what was written instead ------------
    def settings(self, model: Json) -> tuple[list[tuple[str, Any]], Json]:
        """``time``, ``refresh``, ``graph_tooltip`` and ``editable`` as Dashboard keywords, and
        what goes in its ``extra`` (a time range with keys of its own is kept whole there)."""
        kwargs: list[tuple[str, Any]] = []
        extra: Json = {}
        time_range = model.get("time") or {"from": "now-6h", "to": "now"}
        if set(time_range) - {"from", "to"}:
            extra["time"] = dict(time_range)
        elif (time_range.get("from"), time_range.get("to")) != ("now-6h", "now"):
            kwargs.append(("time", (time_range.get("from"), time_range.get("to"))))
        refresh = model.get("refresh")
        if refresh not in (None, False) and not isinstance(refresh, str):
            self.notes.append(f"refresh {refresh!r} is not a duration such as '30s': written as "
                              "no auto-refresh")
        kwargs.append(("refresh", refresh if isinstance(refresh, str) else ""))
        if model.get("timezone", "browser") != "browser":
            kwargs.append(("timezone", model.get("timezone") or ""))
        tooltip = model.get("graphTooltip") or 0
        kwargs.append(("graph_tooltip", self.whole("graphTooltip", tooltip)))
        editable = model.get("editable", True)
        if not isinstance(editable, bool):  # Grafana's DashboardModel: editable !== false
            self.notes.append(f"editable {editable!r} is not true or false; Grafana reads "
                              "anything but false as true: written as True")
        if editable is False:
            kwargs.append(("editable", False))
        return kwargs, extra

    def whole(self, where: str, value: Any) -> int:
        """``value`` as the whole number Grafana's field holds; a note where that changes it."""
        number = int(value)
        if number != value:
            self.notes.append(f"{where} {value!r} is not a whole number: written as {number}")
        return number

    # --- variables, links, annotations --------------------------------------------------------------
    def variable(self, raw: Json) -> Call:
        # current/options are this instance's state (Grafana recomputes them); the rest of the
        # dropped fields are defaults of the old variable editor
        legacy_defaults = {"skipUrlSync": False, "tagValuesQuery": "", "tagsQuery": "",
                           "useTags": False, "tags": [], "queryValue": ""}
        fields = {k: v for k, v in raw.items()
                  if k not in ("name", "type", "label", "hide", "current", "options")
                  and not (k in legacy_defaults and legacy_defaults[k] == v)}
        helper = self.variable_helper(raw, fields)
        if helper is not None:
            return helper
        kwargs: list[tuple[str, Any]] = [("name", raw.get("name")), ("type", raw.get("type"))]
        if raw.get("label"):
            kwargs.append(("label", raw["label"]))
        if raw.get("hide"):
            kwargs.append(("hide", raw["hide"]))
        if isinstance(fields.get("datasource"), dict):
            ds = self.datasource(fields["datasource"])
            fields["datasource"] = Call(f"{ds.text}.to_json_data") if ds else fields["datasource"]
        if fields:
            kwargs.append(("fields", fields))
        return Call("variables.Variable", (), tuple(kwargs))

    def variable_helper(self, raw: Json, fields: Json) -> Call | None:
        """``variables.datasource(...)`` or ``variables.query(...)`` where one reproduces the
        variable: every field the same, the query's text the same (the helper writes it in the
        query editor's object form)."""
        kind, name = raw.get("type"), raw.get("name")
        common = [("label", raw["label"])] if raw.get("label") else []
        common += [("hide", raw["hide"])] if raw.get("hide") else []
        if kind == "datasource":
            call = Call("variables.datasource", (name, fields.get("query", "")),
                        tuple(common + ([("regex", fields["regex"])] if fields.get("regex") else [])))
            allowed = {"query", "regex", "refresh", "multi", "includeAll"}
        elif kind == "query" and isinstance(fields.get("datasource"), dict):
            ds = self.datasource(fields["datasource"])
            query = fields.get("query")
            text = query.get("query") if isinstance(query, dict) else query
            if ds is None or not isinstance(text, str):
                return None
            options = [("multi", True)] if fields.get("multi") else []
            options += [("include_all", True)] if fields.get("includeAll") else []
            options += [("all_value", fields["allValue"])] if fields.get("allValue") else []
            options += [("regex", fields["regex"])] if fields.get("regex") else []
            options += [("sort", fields.get("sort", 0))] if fields.get("sort", 0) != 1 else []
            options += [("refresh", fields.get("refresh", 1))] if fields.get("refresh", 1) != 2 \
                else []
            call = Call("variables.query", (name, text, ds), tuple(common + options))
            allowed = {"datasource", "definition", "query", "refresh", "regex", "sort", "multi",
                       "includeAll", "allValue"}
        else:
            return None
        if set(fields) - allowed:
            return None
        built = self.evaluate(call).to_json_data()
        for key, value in fields.items():
            if key == "query" and kind == "query":
                ok = (built["query"].get("query") if isinstance(built["query"], dict)
                      else built["query"]) == text
            elif key == "definition":
                ok = value in ("", text)
            else:
                # a false or empty field the helper leaves out is Grafana's default anyway
                ok = built.get(key) == value or (not value and key not in built)
            if not ok:
                return None
        return call

    def link(self, raw: Json) -> Call:
        defaults = {"url": "", "type": "link", "tags": [], "asDropdown": False,
                    "includeVars": True, "keepTime": True, "targetBlank": False,
                    "icon": "dashboard", "tooltip": ""}
        names = {"url": "url", "type": "type", "tags": "tags", "asDropdown": "as_dropdown",
                 "includeVars": "include_vars", "keepTime": "keep_time", "targetBlank": "new_tab",
                 "icon": "icon", "tooltip": "tooltip"}
        kwargs = []
        for key, name in names.items():
            value = raw.get(key, defaults[key] if key in ("url", "type", "tags", "tooltip", "icon")
                            else False)
            if key == "tags" and isinstance(value, str):  # not one tag a character
                self.notes.append(f"link {raw.get('title')!r}: tags {value!r} is one string, "
                                  "not a list: written as the one tag")
                value = [value]
            if value != defaults[key]:
                kwargs.append((name, tuple(value) if key == "tags" else value))
        unknown = set(raw) - set(names) - {"title"}
        if unknown:
            self.notes.append(f"link {raw.get('title')!r}: fields {sorted(unknown)} dropped")
        return Call("Link", (raw.get("title", ""),), tuple(kwargs))

    def annotation(self, raw: Json) -> Call:
        ds = self.datasource(raw.get("datasource"))
        fields = {k: v for k, v in raw.items()
                  if k not in ("name", "datasource", "iconColor", "enable")}
        kwargs: list[tuple[str, Any]] = []
        if fields:
            kwargs.append(("fields", fields))
        if raw.get("iconColor", "red") != "red":
            kwargs.append(("icon_color", raw.get("iconColor")))
        if raw.get("enable", True) is not True:
            kwargs.append(("enable", raw.get("enable")))
        return Call("Annotation", (raw.get("name", ""), ds or Code('DatasourceRef("", "")')),
                    tuple(kwargs))


def datasource_variables(model: Json, inputs: Iterable[Json]) -> None:
    """``${DS_X}`` import inputs become datasource variables of the same name."""
    variables = model.setdefault("templating", {}).setdefault("list", [])
    defined = {v.get("name") for v in variables}
    added = []
    for item in inputs:
        if item.get("type") == "datasource" and item.get("name") not in defined:
            added.append({"name": item["name"], "type": "datasource",
                          "label": item.get("label") or item["name"],
                          "query": item.get("pluginId", ""), "regex": "", "hide": 0})
    variables[:0] = added
