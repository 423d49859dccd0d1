"""Alertmanager's routing as Python: receivers, a tree of routes, inhibit rules and the SMTP
settings, written by ``dashkit build`` as ``alertmanager.yml``.

Secrets have no field of their own: Alertmanager does not expand environment variables in its
configuration, so a password or a webhook URL with a token is only ever a *file* Alertmanager
reads (``smtp_auth_password_file``, ``api_url_file``), mounted from a secret store. The built
file names the path, never the secret."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
from attrs.validators import deep_iterable, instance_of, optional

from dashkit.errors import DashkitError, Site, call_site


def _labels(value: Mapping[str, str]) -> dict[str, str]:
    return dict(sorted(value.items()))


def _emails(items: Iterable[Email]) -> tuple[Email, ...]:
    return tuple(items)


def _slack(items: Iterable[Slack]) -> tuple[Slack, ...]:
    return tuple(items)


def _webhooks(items: Iterable[Webhook]) -> tuple[Webhook, ...]:
    return tuple(items)


def _routes(items: Iterable[Route]) -> tuple[Route, ...]:
    return tuple(items)


def _inhibits(items: Iterable[Inhibit]) -> tuple[Inhibit, ...]:
    return tuple(items)


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _optional_strings(items: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if items is None else tuple(items)


def _name(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", value):
        raise DashkitError(f"{type(instance).__name__} {attribute.name} {value!r}: letters, "
                           "digits, '_', '.' and '-' only")


def _secret_file(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.startswith("/") or "$" in value:
        raise DashkitError(f"{type(instance).__name__} {attribute.name} {value!r}: an absolute "
                           "path of the file Alertmanager reads the secret from (Alertmanager "
                           "expands no environment variables: never the secret itself)")


@attrs.frozen(kw_only=True)
class Email:
    """An e-mail notification; the SMTP server is :class:`Smtp`'s."""
    to: str = attrs.field(validator=instance_of(str))
    subject: str = attrs.field(default="", validator=instance_of(str))
    send_resolved: bool = False

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"to": self.to, "send_resolved": self.send_resolved}
        if self.subject:
            config["headers"] = {"Subject": self.subject}
        return config


@attrs.frozen(kw_only=True)
class Slack:
    """A Slack message through an incoming webhook whose URL (a secret) Alertmanager reads from
    ``api_url_file``."""
    channel: str = attrs.field(validator=instance_of(str))
    api_url_file: str = attrs.field(validator=_secret_file)
    title: str = attrs.field(default="", validator=instance_of(str))
    text: str = attrs.field(default="", validator=instance_of(str))
    send_resolved: bool = False

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"api_url_file": self.api_url_file, "channel": self.channel,
                                  "send_resolved": self.send_resolved}
        config.update({k: v for k, v in (("title", self.title), ("text", self.text)) if v})
        return config


@attrs.frozen(kw_only=True)
class Webhook:
    """A POST of the alert group's JSON to ``url`` (a chat bridge, a pager, a test receiver)."""
    url: str = attrs.field(validator=instance_of(str))
    send_resolved: bool = False

    def config(self) -> dict[str, Any]:
        return {"url": self.url, "send_resolved": self.send_resolved}


@attrs.frozen(kw_only=True)
class Receiver:
    """Where a group of alerts is sent: any number of e-mails, Slack channels and webhooks."""
    name: str = attrs.field(validator=_name)
    emails: tuple[Email, ...] = attrs.field(converter=_emails, default=(),
                                            validator=deep_iterable(instance_of(Email)))
    slack: tuple[Slack, ...] = attrs.field(converter=_slack, default=(),
                                           validator=deep_iterable(instance_of(Slack)))
    webhooks: tuple[Webhook, ...] = attrs.field(converter=_webhooks, default=(),
                                                validator=deep_iterable(instance_of(Webhook)))

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name}
        for key, items in (("email_configs", self.emails), ("slack_configs", self.slack),
                           ("webhook_configs", self.webhooks)):
            if items:
                config[key] = [item.config() for item in items]
        return config


@attrs.frozen(kw_only=True)
class Route:
    """A node of the routing tree: alerts whose labels equal ``match`` (and fully match the
    regular expressions of ``match_re``) go to ``receiver``, unless a child route takes them.
    ``continue_`` lets the next sibling route match too."""
    receiver: Receiver = attrs.field(validator=instance_of(Receiver))
    match: Mapping[str, str] = attrs.field(converter=_labels, factory=dict)
    match_re: Mapping[str, str] = attrs.field(converter=_labels, factory=dict)
    continue_: bool = False
    routes: tuple[Route, ...] = attrs.field(converter=_routes, default=())
    group_by: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_strings)
    group_wait: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    group_interval: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    repeat_interval: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Alertmanager's matchers: a missing label is the empty string; regexes are anchored."""
        return (all(labels.get(k, "") == v for k, v in self.match.items())
                and all(re.fullmatch(v, labels.get(k, "")) for k, v in self.match_re.items()))

    def matchers(self) -> list[str]:
        def quoted(value: str) -> str:
            return value.replace("\\", "\\\\").replace('"', '\\"')

        return ([f'{k}="{quoted(v)}"' for k, v in self.match.items()]
                + [f'{k}=~"{quoted(v)}"' for k, v in self.match_re.items()])

    def config(self, root: bool = False) -> dict[str, Any]:
        config: dict[str, Any] = {"receiver": self.receiver.name}
        if not root and (self.match or self.match_re):
            config["matchers"] = self.matchers()
        if self.group_by is not None:
            config["group_by"] = list(self.group_by)
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if getattr(self, key) is not None:
                config[key] = getattr(self, key)
        if self.continue_:
            config["continue"] = True
        if self.routes:
            config["routes"] = [route.config() for route in self.routes]
        return config

    def walk(self) -> Iterator[Route]:
        yield self
        for route in self.routes:
            yield from route.walk()


def receivers_for(route: Route, labels: Mapping[str, str]) -> list[str]:
    """The receivers an alert with ``labels`` is sent to, as Alertmanager's dispatcher routes
    (``Route.Match`` in dispatch/route.go): the deepest matching routes, a sibling after a match
    only where the matching route says ``continue``; the node itself when no child matches."""
    found: list[str] = []
    for child in route.routes:
        if child.matches(labels):
            found += receivers_for(child, labels)
            if not child.continue_:
                break
    return found or [route.receiver.name]


@attrs.frozen(kw_only=True)
class Inhibit:
    """While an alert matching ``source`` fires, alerts matching ``target`` that have the same
    values of the ``equal`` labels are not sent."""
    source: Mapping[str, str] = attrs.field(converter=_labels)
    target: Mapping[str, str] = attrs.field(converter=_labels)
    equal: tuple[str, ...] = attrs.field(converter=_strings)
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    def config(self) -> dict[str, Any]:
        return {"source_matchers": [f'{k}="{v}"' for k, v in self.source.items()],
                "target_matchers": [f'{k}="{v}"' for k, v in self.target.items()],
                "equal": list(self.equal)}


@attrs.frozen(kw_only=True)
class Smtp:
    """The SMTP server e-mails go through; its password is read from ``auth_password_file``."""
    smarthost: str = attrs.field(validator=instance_of(str))
    sender: str = attrs.field(validator=instance_of(str))
    auth_username: str = attrs.field(default="", validator=instance_of(str))
    auth_password_file: str | None = attrs.field(default=None, validator=optional(_secret_file))
    require_tls: bool = True

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"smtp_smarthost": self.smarthost, "smtp_from": self.sender,
                                  "smtp_require_tls": self.require_tls}
        if self.auth_username:
            config["smtp_auth_username"] = self.auth_username
        if self.auth_password_file:
            config["smtp_auth_password_file"] = self.auth_password_file
        return config


@attrs.frozen(kw_only=True)
class Alertmanager:
    """Alertmanager's whole configuration: the routing tree, inhibit rules and SMTP settings."""
    route: Route = attrs.field(validator=instance_of(Route))
    inhibits: tuple[Inhibit, ...] = attrs.field(converter=_inhibits, default=(),
                                                validator=deep_iterable(instance_of(Inhibit)))
    smtp: Smtp | None = attrs.field(default=None, validator=optional(instance_of(Smtp)))
    origin: Site | None = attrs.field(factory=call_site, eq=False, repr=False)

    def receivers(self) -> list[Receiver]:
        """Every receiver of the tree, once; two different receivers of one name are refused."""
        seen: dict[str, Receiver] = {}
        for route in self.route.walk():
            known = seen.setdefault(route.receiver.name, route.receiver)
            if known != route.receiver:
                raise DashkitError(f"two different receivers are named {known.name!r}")
        return list(seen.values())

    def config(self) -> dict[str, Any]:
        """The document Alertmanager loads (``--config.file``)."""
        config: dict[str, Any] = {}
        if self.smtp is not None:
            config["global"] = self.smtp.config()
        config["route"] = self.route.config(root=True)
        config["receivers"] = [r.config() for r in self.receivers()]
        if self.inhibits:
            config["inhibit_rules"] = [i.config() for i in self.inhibits]
        return config

    def with_webhooks(self, url: str) -> Alertmanager:
        """The same routing with every receiver a webhook to ``url/<receiver>``: how tests see
        where each alert went, without mail servers or Slack."""
        def swap(route: Route) -> Route:
            hook = Receiver(name=route.receiver.name,
                            webhooks=(Webhook(url=f"{url}/{route.receiver.name}"),))
            return attrs.evolve(route, receiver=hook, routes=tuple(map(swap, route.routes)))

        return attrs.evolve(self, route=swap(self.route), smtp=None)

