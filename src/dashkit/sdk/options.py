"""The options every panel builder shares, defined once: what a panel says about itself, where it
goes on the grid, and how it repeats.

Builders take them as a typed keyword tail (``**options: Unpack[PanelOptions]``), so a type
checker and an editor know every name, and check them here at run time, where a misspelt or
mistyped option becomes a one-line error naming the builder and the panel.
"""
from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import attrs
from attrs.validators import deep_iterable, in_, instance_of, optional

from dashkit.errors import DashkitError, call_site, user_site
from dashkit.grafana.facts import DEFAULT_HEIGHT, DEFAULT_WIDTH, PANEL_LINK_DEFAULTS
from dashkit.sdk.alerts import Alert
from dashkit.sdk.datasources import DatasourceRef
from dashkit.sdk.layout import Panel
from dashkit.sdk.thresholds import Thresholds

if sys.version_info >= (3, 11):
    from typing import Unpack as Unpack  # re-exported for the builders
elif TYPE_CHECKING:  # mypy reads typing_extensions' stubs
    from typing_extensions import Unpack as Unpack
else:  # Python 3.10 never evaluates the postponed annotations; the name only has to exist
    Unpack = Any


class PanelOptions(TypedDict, total=False):
    """Keyword options accepted by every builder (``panels.stat(..., w=6, repeat="service")``)."""

    #: Shown in the panel's (i) tooltip: what the reader should conclude from it.
    description: str
    #: The datasource the panel's queries run on; the dashboard's default when absent.
    datasource: DatasourceRef | None
    #: Data links on every value (``data_link(...)``): drill-downs from a series.
    links: Iterable[dict[str, Any]]
    #: Links in the panel's header (``data_link(...)`` dicts too): runbooks, docs.
    panel_links: Iterable[dict[str, Any]]
    #: No background: for panels meant to blend into the dashboard.
    transparent: bool
    #: A variable name: one copy of the panel per selected value.
    repeat: str | None
    #: "h" (side by side, the default) or "v" (stacked).
    repeat_direction: Literal["h", "v"]
    #: Side-by-side copies per line when repeating horizontally.
    max_per_row: int | None
    w: int
    h: int
    #: A fixed position (both or neither); without them the panel flows.
    x: int | None
    y: int | None
    #: Identity across edits, from which the panel id is derived; defaults to the title.
    key: str | None
    #: A fixed panel id instead (an imported dashboard's, so links into it keep working).
    id: int | None
    #: Raw JSON merged over everything dashkit wrote, for what no option expresses.
    extra: dict[str, Any] | None
    #: The alert whose signal the panel shows: its limit becomes the panel's thresholds (unless
    #: given), its header link names the alert, and the rule's annotations link to the panel.
    alert: Alert | None




def _grid_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be a whole number of grid units, not {value!r}")


def _optional_grid_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _grid_int(instance, attribute, value)


@attrs.frozen(kw_only=True)
class CommonOptions:
    """PanelOptions, checked and with their defaults; turns into grafanalib arguments and a Panel."""

    description: str = attrs.field(default="", validator=instance_of(str))
    datasource: DatasourceRef | None = attrs.field(default=None,
                                                   validator=optional(instance_of(DatasourceRef)))
    links: tuple[dict[str, Any], ...] = attrs.field(
        default=(), converter=tuple, validator=deep_iterable(instance_of(dict)))
    panel_links: tuple[dict[str, Any], ...] = attrs.field(
        default=(), converter=tuple, validator=deep_iterable(instance_of(dict)))
    transparent: bool = attrs.field(default=False, validator=instance_of(bool))
    repeat: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    repeat_direction: str = attrs.field(default="h", validator=in_(("h", "v")))
    max_per_row: int | None = attrs.field(default=None, validator=_optional_grid_int)
    #: None until placed: each builder has its own default size.
    w: int | None = attrs.field(default=None, validator=_optional_grid_int)
    h: int | None = attrs.field(default=None, validator=_optional_grid_int)
    x: int | None = attrs.field(default=None, validator=_optional_grid_int)
    y: int | None = attrs.field(default=None, validator=_optional_grid_int)
    key: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    id: int | None = attrs.field(default=None, validator=_optional_grid_int)
    extra: dict[str, Any] | None = attrs.field(default=None, validator=optional(instance_of(dict)))
    alert: Alert | None = attrs.field(default=None, validator=optional(instance_of(Alert)))

    def thresholds(self, given: Thresholds | None) -> Thresholds | None:
        """The thresholds a builder draws: those given, else the named alert's."""
        return given if given is not None or self.alert is None else self.alert.thresholds()

    def to_json_data(self) -> dict[str, Any]:
        """The panel JSON these options set (only what differs from Grafana's defaults)."""
        data: dict[str, Any] = {}
        if self.description:
            data["description"] = self.description
        if self.datasource is not None:
            data["datasource"] = self.datasource.to_json_data()
        if self.links:
            data["fieldConfig"] = {"defaults": {"links": list(self.links)}}
        if self.panel_links or self.alert is not None:
            links = [*self.panel_links, *([self.alert.link()] if self.alert else [])]
            data["links"] = [{**PANEL_LINK_DEFAULTS, **link} for link in links]
        if self.transparent:
            data["transparent"] = True
        if self.repeat:
            data.update(repeat=self.repeat, repeatDirection=self.repeat_direction)
            if self.max_per_row is not None:
                data["maxPerRow"] = self.max_per_row
        return data

    def grafanalib(self, title: str, json: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Keyword arguments for a grafanalib panel; ``json`` (settings the builder owns) and the
        options are merged into grafanalib's output before dashkit's fixes."""
        kwargs: dict[str, Any] = {"title": title, "description": self.description or None}
        if self.datasource is not None:
            kwargs["dataSource"] = self.datasource.to_json_data()
        merged = merge(json or {}, self.to_json_data())
        merged.pop("description", None)
        merged.pop("datasource", None)
        if merged:
            kwargs["extraJson"] = merged
        return kwargs

    def place(self, spec: Any, size: tuple[int, int] = (DEFAULT_WIDTH, DEFAULT_HEIGHT)) -> Panel:
        """The configured panel on the grid, at the builder's default ``size`` unless set."""
        return Panel(spec, size[0] if self.w is None else self.w,
                     size[1] if self.h is None else self.h, self.key, self.x, self.y,
                     extra=self.extra or {}, id=self.id, origin=call_site())


_DEFAULTS = CommonOptions()


def panel_options(builder: Callable[..., Any], title: str,
                  options: Mapping[str, Any]) -> CommonOptions:
    """``options`` checked for ``builder``: an unknown name or a wrong type is a DashkitError
    naming the builder and the panel (with the nearest real name, never the one typed)."""
    if not options:  # most panels: nothing to check, and the defaults are immutable
        return _DEFAULTS
    try:  # options met before (w=8 on every stat): checked once; the type is part of the key,
        key: Any = tuple((name, type(value), value) for name, value in options.items())
        known = _CHECKED.get(key)  # as 8 == 8.0 == True and only 8 is a width
    except TypeError:  # an unhashable value (a list of links): checked each time
        key = known = None
    if known is not None:
        return known
    checked = _checked_options(builder, title, options)
    if key is not None and len(_CHECKED) < _CHECKED_LIMIT:
        _CHECKED[key] = checked
    return checked


#: Options checked already (CommonOptions is immutable, so one object serves every panel).
_CHECKED: dict[tuple[tuple[str, type, Any], ...], CommonOptions] = {}
_CHECKED_LIMIT = 4096


def _checked_options(builder: Callable[..., Any], title: str,
                     options: Mapping[str, Any]) -> CommonOptions:
    where = f"{builder.__name__} panel {title!r}"
    unknown = sorted(set(options) - set(PanelOptions.__annotations__))
    if unknown:
        known = [name for name, parameter in inspect.signature(builder).parameters.items()
                 if parameter.kind is inspect.Parameter.KEYWORD_ONLY
                 or parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        import difflib  # only for a misspelt option

        close = difflib.get_close_matches(unknown[0], [*known, *PanelOptions.__annotations__], 1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DashkitError(f"{where}: no option {unknown[0]!r}{hint}", file=user_site())
    try:
        return CommonOptions(**options)
    except (TypeError, ValueError) as error:
        raise DashkitError(f"{where}: {_first_line(error)}", file=user_site()) from None


def _first_line(error: Exception) -> str:
    """attrs' validators put the message first and the attribute objects after it."""
    return str(error.args[0] if error.args else error).splitlines()[0]


def merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` over ``base``, dictionaries merged key by key, anything else replaced."""
    result = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result
