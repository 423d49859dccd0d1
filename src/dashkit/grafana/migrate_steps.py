"""Grafana's schema migrations 30 to 42, the table of every step (``STEPS``, which the README
prints), and ``upgrade``, which runs the steps a model's ``schemaVersion`` has not had yet. The
steps up to 29 are in migrate_schema; rows to grid (16) is normalise.rows_to_panels, which runs
when a file is read."""
from __future__ import annotations

from typing import Any

from dashkit.grafana.migrate_schema import EARLY_STEPS, LATEST, Json, Step, panels
from dashkit.grafana.model import as_array, as_object


def _transformations(panel: Json) -> list[Any]:
    return as_array(panel.get("transformations"))


def _v31(model: Json) -> None:
    for panel in panels(model):
        if not any(isinstance(t, dict) and t.get("id") == "labelsToFields"
                   for t in _transformations(panel)):
            continue
        steps: list[Any] = []
        for transformation in panel["transformations"]:
            steps.append(transformation)
            if isinstance(transformation, dict) and transformation.get("id") == "labelsToFields":
                steps.append({"id": "merge", "options": {}})
        panel["transformations"] = steps


def _v35(model: Json) -> None:
    for panel in panels(model):
        field_config = panel.get("fieldConfig")
        if panel.get("type") != "timeseries" or not isinstance(field_config, dict):
            continue
        custom = as_object(as_object(field_config.get("defaults")).get("custom"))
        if custom.get("axisPlacement") == "hidden":
            field_config["overrides"] = as_array(field_config.get("overrides")) + [
                {"matcher": {"id": "byType", "options": "time"},
                 "properties": [{"id": "custom.axisPlacement", "value": "auto"}]}]


def _v37(model: Json) -> None:
    for panel in panels(model):
        options = as_object(panel.get("options"))
        legend = options.get("legend")
        if isinstance(legend, bool):
            options["legend"] = {"displayMode": "list", "showLegend": legend}
        elif isinstance(legend, dict):
            if legend.get("displayMode") == "hidden" or legend.get("showLegend") is False:
                legend.update(displayMode="list", showLegend=False)
            else:
                legend["showLegend"] = True


def cell_options(display_mode: str) -> Json:
    """``migrateTableDisplayModeToCellOptions``: a table's display mode as cell options."""
    gauges = {"basic": "basic", "gradient-gauge": "gradient", "lcd-gauge": "lcd"}
    if display_mode in gauges:
        return {"type": "gauge", "mode": gauges[display_mode]}
    if display_mode in ("color-background", "color-background-solid"):
        return {"type": "color-background",
                "mode": "gradient" if display_mode == "color-background" else "basic"}
    return {"type": display_mode}


def _v38(model: Json) -> None:
    for panel in panels(model):
        field_config = as_object(panel.get("fieldConfig"))
        custom = as_object(as_object(field_config.get("defaults")).get("custom"))
        if panel.get("type") != "table" or "custom" not in as_object(field_config.get("defaults")):
            continue
        if "displayMode" in custom:
            mode = custom.pop("displayMode")
            if isinstance(mode, str):
                custom["cellOptions"] = cell_options(mode)
        for override in as_array(field_config.get("overrides")):
            for prop in as_array(as_object(override).get("properties")):
                if isinstance(prop, dict) and prop.get("id") == "custom.displayMode":
                    prop["id"] = "custom.cellOptions"
                    if isinstance(prop.get("value"), str):
                        prop["value"] = cell_options(prop["value"])


def _v39(model: Json) -> None:
    for panel in panels(model):
        for transformation in map(as_object, _transformations(panel)):
            stats = as_object(transformation.get("options")).get("refIdToStat")
            if transformation.get("id") == "timeSeriesTable" and isinstance(stats, dict):
                transformation["options"] = {ref: {"stat": stat} for ref, stat in stats.items()}


def _v40(model: Json) -> None:
    if not isinstance(model.get("refresh"), str):
        model["refresh"] = ""


def _v41(model: Json) -> None:
    as_object(model.get("timepicker")).pop("time_options", None)


def _v42(model: Json) -> None:
    for panel in panels(model):
        for override in as_array(as_object(panel.get("fieldConfig")).get("overrides")):
            for prop in map(as_object, as_array(as_object(override).get("properties"))):
                value = prop.get("value")
                if prop.get("id") == "custom.hideFrom" and isinstance(value, dict) \
                        and value.get("viz") is True:
                    value["tooltip"] = True


STEPS: tuple[Step, ...] = EARLY_STEPS + (
    Step(30, "V30", "not ported: value mappings and tooltipOptions of current panels", None),
    Step(31, "V31", "a merge transformation after each labelsToFields", _v31),
    Step(32, "V32", "nothing (no-op)", None),
    Step(33, "V33 migrateDatasourceNameToRef", "datasource names become {uid} (the type when a "
         "variable or input names it): migrate.datasource_ref", None),
    Step(34, "V34", "not ported: CloudWatch queries split by statistic", None),
    Step(35, "V35", "a timeseries whose axes are hidden keeps its time axis (byType time "
         "override)", _v35),
    Step(36, "V36", "nothing: the instance's default datasource, which an import does not "
         "know (a null datasource is left out: the default)", None),
    Step(37, "V37", "legends: boolean to object, hidden as showLegend false", _v37),
    Step(38, "V38", "a table's displayMode becomes cellOptions, in overrides too", _v38),
    Step(39, "V39", "timeSeriesTable's refIdToStat becomes per-query {stat}", _v39),
    Step(40, "V40", "refresh that is not a string becomes \"\"", _v40),
    Step(41, "V41", "timepicker.time_options removed", _v41),
    Step(42, "V42", "a field hidden from the viz is hidden from the tooltip too", _v42),
)


def schema_version(model: Json) -> int:
    """The model's schema version; a missing or malformed one is 0, as Grafana reads it."""
    version = model.get("schemaVersion")
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def upgrade(model: Json) -> None:
    """Run, in place and in order, every step the model's schema version has not had yet."""
    version = schema_version(model)
    for step in STEPS:
        if version < step.version and step.apply is not None:
            step.apply(model)
    model["schemaVersion"] = max(version, LATEST)
