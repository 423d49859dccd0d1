"""What a dashboard rebuilt from an imported module must still say, worked out from the input
alone: this module imports nothing from dashkit.

Every field of the input must come back with the same value, except the short list
``GRAFANA_REWRITES`` of what Grafana itself rewrites or fills in on load (the round-trip test
prints it). Panels of retired types, which Grafana migrates on load, are held to what the
migration must carry over: their own keys, every alias colour, every series override's matcher,
the y axis unit, every table style's column; the migrations themselves have hand-written before
and after tests in test_migrations.py.
"""
from __future__ import annotations

import json
import re
from typing import Any

Json = dict[str, Any]

#: What Grafana rewrites or fills in itself, so an import may write it otherwise. (path, why)
GRAFANA_REWRITES: tuple[tuple[str, str], ...] = (
    ("id, version, iteration", "the instance's database id and save counters"),
    ("gnetId, __inputs, __requires, __elements, revision", "export metadata, not the dashboard"),
    ("schemaVersion", "the migrator sets it to the current version on load"),
    ("style, hideControls, sharedCrosshair, rows",
     "retired keys the migrator removes (rows become panels with gridPos)"),
    ("refresh: false", "Grafana reads false as no refresh, the same as \"\""),
    ("panels[].id of a row, or repeated", "dashkit numbers rows, and a panel whose id another "
     "panel had first, from their keys"),
    ("row gridPos w, h", "a row is always drawn 24 wide and 1 high"),
    ("targets[].refId when missing", "PanelModel.ensureQueryIds assigns A, B, … on load"),
    ("datasource as a name or \"${DS}\" string", "schema v33/v36 turn it into {type, uid}: the "
     "uid is compared"),
    ("variables: current, options",
     "the selection and the options Grafana loads again (query variables) or derives (custom)"),
    ("variables: skipUrlSync, tagsQuery, tagValuesQuery, useTags, tags, queryValue, multi, "
     "includeAll, allValue, label, definition when false, null or empty",
     "absent means the same to Grafana"),
    ("query variable: the query object's refId and qryType, and a definition that repeats the "
     "query text", "the Prometheus variable editor "
     "derives them from the query text, which is compared"),
    ("built-in annotation", "Grafana adds \"Annotations & Alerts\" when missing"),
    ("__inputs datasources", "become datasource variables of the same name"),
    ("Prometheus/Loki query fields at their defaults: format \"time_series\", hide false, "
     "legendFormat \"\", exemplar false, interval \"\", intervalFactor 1",
     "absent means the same: the Prometheus backend reads any format but table and heatmap as a "
     "time series; the datasource takes intervalFactor || 1"),
    ("a panel's own fields that are null, and its empty links and transformations",
     "absent means the same: PanelModel reads null as unset and starts from empty lists"),
    ("a timeseries' field settings and legend and tooltip options at Grafana's defaults (and one "
     "the input leaves out must come back absent or at that default)", "the timeseries option "
     "registry fills them in (timeseries/config.ts, grafana-ui's legend and tooltip builders)"),
    ("what Grafana's schema steps rewrite (README's table): sharedCrosshair to graphTooltip "
     "(V14), timepicker.time_options (V41) and the "
     "old time picker's keys, hideFrom.viz also hiding the tooltip (V42), a query variable's "
     "refresh 1 (V29), a Prometheus annotation's expr in its target (prepareAnnotation), a row "
     "panel's legacy row keys, a maxDataPoints of \"\"", "the expected side applies them "
     "itself (_schema_steps), from Grafana's v29/v41/v42.go and the Prometheus datasource"),
)
#: Grafana's timeseries field defaults, read from public/app/plugins/panel/timeseries/config.ts
#: (defaultGraphConfig, each option's defaultValue) and grafana-ui's axis and colour options.
_TIMESERIES_CUSTOM = {"drawStyle": "line", "lineInterpolation": "linear", "lineWidth": 1,
                      "fillOpacity": 0, "gradientMode": "none", "barAlignment": 0,
                      "barWidthFactor": 0.6, "spanNulls": False, "insertNulls": False,
                      "showPoints": "auto", "pointSize": 5,
                      "stacking": {"mode": "none", "group": "A"}, "axisPlacement": "auto",
                      "axisLabel": "", "axisCenteredZero": False, "axisBorderShow": False,
                      "scaleDistribution": {"type": "linear"}, "thresholdsStyle": {"mode": "off"}}
_TIMESERIES_COLOR = {"mode": "palette-classic"}
#: Its legend and tooltip options (grafana-ui's addLegendOptions and addTooltipOptions).
_TIMESERIES_OPTIONS = {"legend": {"showLegend": True, "displayMode": "list", "placement": "bottom",
                                  "calcs": []},
                       "tooltip": {"mode": "single", "sort": "none"}}
#: Query fields an import may leave out, with the value that means the same (see above).
_QUERY_DEFAULTS = (("format", "time_series"), ("hide", False), ("legendFormat", ""),
                   ("exemplar", False), ("interval", ""), ("intervalFactor", 1))

_TOP_EXEMPT = {"id", "version", "iteration", "gnetId", "__inputs", "__requires", "__elements",
               "revision", "schemaVersion", "style", "hideControls", "sharedCrosshair", "rows"}
_VARIABLE_DEFAULTS = {"skipUrlSync": (False,), "tagsQuery": ("",), "tagValuesQuery": ("",),
                      "useTags": (False,), "tags": ([],), "queryValue": ("",),
                      "multi": (False,), "includeAll": (False,), "allValue": (None, ""),
                      "label": (None, ""), "definition": ("",)}
#: The keys a panel keeps when Grafana changes its type.
_PANEL_OWN_KEYS = ("title", "description", "gridPos", "datasource", "targets", "links", "repeat",
                   "repeatDirection", "maxPerRow", "transparent", "timeFrom", "timeShift",
                   "hideTimeOverride", "interval", "maxDataPoints", "libraryPanel")
_MIGRATED = {"graph": "timeseries", "singlestat": ("stat", "gauge"),
             "grafana-singlestat-panel": ("stat", "gauge"), "table-old": "table",
             "grafana-piechart-panel": "piechart", "heatmap-new": "heatmap"}


def _field_settings(panel: Json) -> tuple[Json, Json]:
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    return defaults, defaults.get("custom") or {}


def _timeseries_defaults(before: Json, expected: Json, after: Json, where: str,
                         lost: list[str]) -> None:
    """Settings at their default need not come back; ones the input left out must not come back
    otherwise (they would draw differently)."""
    defaults, custom = _field_settings(before)
    kept_custom = {k: v for k, v in custom.items() if not _same_value(_TIMESERIES_CUSTOM.get(k), v)}
    kept = {k: v for k, v in defaults.items() if not (k == "color" and v == _TIMESERIES_COLOR)}
    if "custom" in defaults:
        kept["custom"] = kept_custom
    if "fieldConfig" in expected:
        expected["fieldConfig"] = {**expected["fieldConfig"], "defaults": kept}
    built_defaults, built_custom = _field_settings(after)
    for key, default in _TIMESERIES_CUSTOM.items():
        if key not in custom and key in built_custom and not _same_value(default, built_custom[key]):
            lost.append(f"{where}.fieldConfig.defaults.custom.{key}: absent (Grafana's {default!r}) "
                        f"became {built_custom[key]!r}")
    if "color" not in defaults and built_defaults.get("color") not in (None, _TIMESERIES_COLOR):
        lost.append(f"{where}.fieldConfig.defaults.color: absent became {built_defaults['color']!r}")
    options, built_options = before.get("options") or {}, after.get("options") or {}
    kept_options = dict(options)
    for group, group_defaults in _TIMESERIES_OPTIONS.items():
        own, built = options.get(group) or {}, built_options.get(group) or {}
        if group in options:
            kept_options[group] = {k: v for k, v in own.items()
                                   if not _same_value(group_defaults.get(k), v)}
        for key, default in group_defaults.items():
            if key not in own and key in built and not _same_value(default, built[key]):
                lost.append(f"{where}.options.{group}.{key}: absent (Grafana's {default!r}) "
                            f"became {built[key]!r}")
    if "options" in expected:
        expected["options"] = kept_options


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(b, dict) and b.get("type") == "linear":  # a log base means nothing on a linear scale
        b = {k: v for k, v in b.items() if k != "log"}
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    return _same(a, b)


def _unset(key: str, value: Any) -> bool:
    """A panel field that says nothing: null, or an empty list of links or transformations."""
    return value is None or (key in ("links", "transformations") and value == [])


def _uid(value: Any) -> Any:
    return value.get("uid") if isinstance(value, dict) else value


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _compare(expected: Any, actual: Any, path: str, lost: list[str]) -> None:
    """Every value of ``expected`` is in ``actual`` (which may have more keys)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            lost.append(f"{path}: {expected!r} became {actual!r}")
            return
        for key, value in expected.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "datasource":
                if _uid(value) != _uid(actual.get(key)):
                    lost.append(f"{where}: {value!r} became {actual.get(key)!r}")
            elif key not in actual:
                lost.append(f"{where}: {value!r} is missing")
            else:
                _compare(value, actual[key], where, lost)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            lost.append(f"{path}: {expected!r} became {actual!r}")
            return
        for index, (a, b) in enumerate(zip(expected, actual)):
            _compare(a, b, f"{path}[{index}]", lost)
    elif not _same(expected, actual):
        lost.append(f"{path}: {expected!r} became {actual!r}")


def _targets(raw: list[Any]) -> list[Any]:
    """The targets with the refIds Grafana gives the ones that have none, without the query
    fields that restate a default."""
    taken = {t.get("refId") for t in raw if isinstance(t, dict)}
    letters = iter(chr(c) for c in range(ord("A"), ord("Z") + 1))
    result = []
    for target in raw:
        if isinstance(target, dict) and not target.get("refId"):
            letter = next(c for c in letters if c not in taken)
            target = {**target, "refId": letter}
        if isinstance(target, dict) and isinstance(target.get("expr"), str):
            target = {k: v for k, v in target.items()
                      if not any(k == key and _same(default, v) for key, default in _QUERY_DEFAULTS)}
        result.append(target)
    return result


def _query_defaults(raw: list[Any], built: Any, path: str, lost: list[str]) -> None:
    """A query field the input leaves out or at its default must come back absent or at that
    default, and one it sets otherwise must come back the same (``_targets`` drops the defaults
    from what ``_compare`` sees, so a change from a default would go unseen)."""
    for index, (before, after) in enumerate(zip(raw, built if isinstance(built, list) else [])):
        if not (isinstance(before, dict) and isinstance(after, dict)
                and isinstance(before.get("expr"), str)):
            continue
        for key, default in _QUERY_DEFAULTS:
            wanted, got = before.get(key, default), after.get(key, default)
            if not _same(wanted, got):
                lost.append(f"{path}[{index}].{key}: {wanted!r} became {got!r}")


def _overrides(built: Json) -> list[Json]:
    return ((built.get("fieldConfig") or {}).get("overrides")) or []


def _has_override(built: Json, options: str, property_id: str | None = None,
                  value: Any = None) -> bool:
    for rule in _overrides(built):
        if (rule.get("matcher") or {}).get("options") != options:
            continue
        if property_id is None:
            return True
        if any(p.get("id") == property_id and (value is None or p.get("value") == value)
               for p in rule.get("properties") or []):
            return True
    return False


def _migrated_panel(raw: Json, built: Json, path: str, lost: list[str]) -> None:
    """What a migration must carry over, from the input panel alone."""
    kind = raw.get("type")
    wanted = _MIGRATED[kind]
    if built.get("type") not in (wanted if isinstance(wanted, tuple) else (wanted,)):
        lost.append(f"{path}.type: {kind!r} became {built.get('type')!r}, not {wanted!r}")
    own = {k: raw[k] for k in _PANEL_OWN_KEYS if k in raw and not _unset(k, raw[k])}
    if "targets" in own:
        _query_defaults(own["targets"], built.get("targets"), f"{path}.targets", lost)
        own["targets"] = _targets(own["targets"])
    _compare(own, built, path, lost)
    defaults = (built.get("fieldConfig") or {}).get("defaults") or {}
    for alias, color in (raw.get("aliasColors") or {}).items():
        if color and not _has_override(built, alias, "color",
                                       {"mode": "fixed", "fixedColor": color}):
            lost.append(f"{path}.aliasColors[{alias!r}]: {color!r} is missing")
    axes = raw.get("yaxes") or []
    right_unit = len(axes) > 1 and isinstance(axes[1], dict) and axes[1].get("format") and \
        axes[1].get("format") != (axes[0] or {}).get("format")
    for item in raw.get("seriesOverrides") or []:
        alias = item.get("alias") if isinstance(item, dict) else None
        settings = set(item) - {"alias", "$$hashKey", "yaxis"} if alias else set()
        if alias and (settings or (item.get("yaxis") == 2 and right_unit)) \
                and not _has_override(built, alias):
            lost.append(f"{path}.seriesOverrides[{alias!r}] is missing")
    if kind == "graph" and axes and isinstance(axes[0], dict) and axes[0].get("format") \
            and defaults.get("unit") != axes[0]["format"]:
        lost.append(f"{path}.yaxes[0].format: {axes[0]['format']!r} became "
                    f"{defaults.get('unit')!r}")
    if kind in ("singlestat", "grafana-singlestat-panel") and raw.get("format") and \
            defaults.get("unit") != raw["format"]:
        lost.append(f"{path}.format: {raw['format']!r} became {defaults.get('unit')!r}")
    texts = re.findall(r"'text': '([^']*)'", repr(defaults.get("mappings")))
    kind_of_map = raw.get("mappingType") or (1 if raw.get("valueMaps") else 2)
    for item in raw.get("valueMaps" if kind_of_map == 1 else "rangeMaps") or []:
        if str(item.get("text", "")) not in texts:
            lost.append(f"{path}: value mapping {item!r} is missing")
    for style in raw.get("styles") or []:
        pattern = style.get("pattern")
        props = set(style) - {"pattern", "$$hashKey", "type"} | (
            {"type"} if style.get("type") in ("date", "hidden") else set())
        if pattern not in (None, "/.*/") and props and not _has_override(built, pattern):
            lost.append(f"{path}.styles[{pattern!r}] is missing")


def _panels(raw: list[Any], built: list[Any], path: str, lost: list[str],
            seen_ids: set[int] | None = None) -> None:
    raw = [p for p in raw if isinstance(p, dict)]
    seen_ids = set() if seen_ids is None else seen_ids
    if len(raw) != len(built):
        lost.append(f"{path}: {len(raw)} panels became {len(built)}")
        return
    for index, (before, after) in enumerate(zip(raw, built)):
        where = f"{path}[{index}]"
        panel_id = before.get("id")
        if before.get("type") != "row" and type(panel_id) is int and panel_id not in seen_ids:
            seen_ids.add(panel_id)  # links such as viewPanel= name a panel by its id
            if after.get("id") != panel_id:
                lost.append(f"{where}.id: {panel_id!r} became {after.get('id')!r}")
        if before.get("type") in _MIGRATED:
            _migrated_panel(before, after, where, lost)
            continue
        expected = {k: v for k, v in before.items() if k not in ("id", "panels", "targets")
                    and not _unset(k, v)}
        if before.get("type") == "row":
            expected["gridPos"] = {k: v for k, v in (before.get("gridPos") or {}).items()
                                   if k in ("x", "y")}
        if before.get("type") == "timeseries":
            _timeseries_defaults(before, expected, after, where, lost)
        _compare(expected, after, where, lost)
        if "targets" in before:
            _compare(_targets(before["targets"]), after.get("targets"), f"{where}.targets", lost)
            _query_defaults(before["targets"], after.get("targets"), f"{where}.targets", lost)
        if before.get("panels") or after.get("panels"):
            _panels(before.get("panels") or [], after.get("panels") or [], f"{where}.panels", lost,
                    seen_ids)


def _variables(raw: list[Json], inputs: list[Json], built: list[Json], lost: list[str]) -> None:
    by_name = {v.get("name"): v for v in built}
    expected_names = [i["name"] for i in inputs if i.get("type") == "datasource"
                      and i.get("name") not in {v.get("name") for v in raw}]
    expected_names += [v.get("name") for v in raw]
    if [v.get("name") for v in built] != expected_names:
        lost.append(f"templating.list: names {expected_names} became "
                    f"{[v.get('name') for v in built]}")
    for item in inputs:
        if item.get("type") == "datasource" and item.get("name") in by_name:
            variable = by_name[item["name"]]
            if (variable.get("type"), variable.get("query")) != ("datasource",
                                                                 item.get("pluginId")) \
                    and item.get("name") not in {v.get("name") for v in raw}:
                lost.append(f"__inputs {item['name']!r}: not a datasource variable of "
                            f"{item.get('pluginId')!r}")
    for variable in raw:
        where = f"templating.list[{variable.get('name')!r}]"
        after = by_name.get(variable.get("name"))
        if after is None:
            continue
        expected = {k: v for k, v in variable.items() if k not in ("current", "options")
                    and not (k in _VARIABLE_DEFAULTS and v in _VARIABLE_DEFAULTS[k])}
        query = expected.get("query")
        if isinstance(query, (str, dict)) and isinstance(after.get("query"), dict):
            text = query.get("query") if isinstance(query, dict) else query
            expected.pop("query")
            if expected.get("definition") == text:
                expected.pop("definition")  # the editor's copy of the query, compared just below
            if after["query"].get("query") != text:
                lost.append(f"{where}.query: {query!r} became {after['query']!r}")
        _compare(expected, after, where, lost)


_OLD_TIMEPICKER = ("time_options", "now", "enable", "status", "type", "collapse", "notice")
_OLD_ROW = ("collapse", "showTitle", "titleSize", "height", "span", "repeatIteration", "repeatRowId")


def _schema_steps(raw: Json) -> Json:
    """The input as Grafana's schema steps leave what the corpus has of them (a copy)."""
    raw = json.loads(json.dumps(raw))
    version = raw.get("schemaVersion") if isinstance(raw.get("schemaVersion"), int) else 0
    if version < 14:  # V14: the crosshair setting becomes graphTooltip
        raw["graphTooltip"] = 1 if raw.pop("sharedCrosshair", None) is True else 0
    for key in _OLD_TIMEPICKER:
        (raw.get("timepicker") or {}).pop(key, None)
    for variable in (raw.get("templating") or {}).get("list") or []:
        if version < 29 and variable.get("type") == "query" and variable.get("refresh") not in (1, 2):
            variable["refresh"] = 1
    for annotation in (raw.get("annotations") or {}).get("list") or []:
        if "expr" in annotation and (annotation.get("datasource") or {}).get("type") in (
                None, "prometheus"):
            annotation["target"] = {**(annotation.get("target") or {}),
                                    "expr": annotation.pop("expr")}
    stack = list(raw.get("panels") or [])
    while stack:
        panel = stack.pop()
        stack.extend(panel.get("panels") or [])
        if panel.get("maxDataPoints") == "":
            del panel["maxDataPoints"]
        if panel.get("type") == "row":
            for key in _OLD_ROW:
                panel.pop(key, None)
        for rule in (panel.get("fieldConfig") or {}).get("overrides") or []:
            for prop in rule.get("properties") or []:
                if version < 42 and prop.get("id") == "custom.hideFrom" and \
                        (prop.get("value") or {}).get("viz") is True:
                    prop["value"]["tooltip"] = True
    return raw


def lost_fields(raw: Json, inputs: list[Json], built: Json) -> list[str]:
    """Every field of the input ``raw`` (after legacy rows became panels) that ``built`` lost or
    changed, one line each; empty when the import is faithful."""
    lost: list[str] = []
    raw = _schema_steps(raw)
    expected = {k: v for k, v in raw.items() if k not in _TOP_EXEMPT
                and k not in ("panels", "templating", "annotations")}
    if expected.get("refresh") is False:
        expected["refresh"] = ""
    _compare(expected, built, "", lost)
    _panels(raw.get("panels") or [], built.get("panels") or [], "panels", lost)
    _variables((raw.get("templating") or {}).get("list") or [], list(inputs),
               (built.get("templating") or {}).get("list") or [], lost)
    wanted = [a for a in (raw.get("annotations") or {}).get("list") or [] if not a.get("builtIn")]
    got = {a.get("name"): a for a in (built.get("annotations") or {}).get("list") or []
           if not a.get("builtIn")}
    for annotation in wanted:
        _compare(annotation, got.get(annotation.get("name"), {}),
                 f"annotations[{annotation.get('name')!r}]", lost)
    return lost
