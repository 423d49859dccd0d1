"""Writing a file so that no reader ever sees half of it: the one way dashkit writes a file it
hands to a person (generated modules, catalogs, the lint exclusions file); and the one way
it reads YAML."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml


def replace_file(target: Path, text: str) -> None:
    """Write beside the target and rename over it: a symlink there is replaced, never followed,
    and a reader never sees half a file. The temporary file has a random name and is created
    exclusively (``O_EXCL``): whatever is planted at a name there is never written through nor
    removed."""
    temporary = target.with_name(f".{target.name}.{os.urandom(8).hex()}.tmp")
    handle = open(temporary, "x", encoding="utf-8")  # noqa: SIM115 (raises before creating anything: outside the try)
    try:
        with handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


#: Nesting deeper than this in a YAML file dashkit reads is refused (PyYAML's composer recurses).
MAX_YAML_DEPTH = 64


class _PlainYamlLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a few hundred bytes of nested aliases expand to
    gigabytes (a 473-byte file took 2.2 GB and 100 s before a MemoryError)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(None, None, "anchors and aliases (& and *) are not "
                                              "accepted", event.start_mark)
        if self._depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested over {MAX_YAML_DEPTH} deep",
                                              event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str) -> Any:
    """The one way dashkit reads YAML: safe types only, no anchors or aliases, bounded nesting;
    a refusal is a ``yaml.YAMLError`` like any other mistake in the file."""
    return yaml.load(text, Loader=_PlainYamlLoader)  # noqa: S506 (a SafeLoader)


#: A mapping key libyaml writes exactly as PyYAML's own emitter does (it differs on others:
#: an empty key, a key with a line break, characters beyond the Basic Multilingual Plane).
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _libyaml_safe(value: Any) -> bool:
    """True where libyaml's emitter writes ``value`` byte for byte as PyYAML's does: plain JSON
    values, ASCII text, identifier keys (a property test holds the two emitters to it)."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _IDENTIFIER.match(k) is not None and _libyaml_safe(v)
                   for k, v in value.items())
    if kind is list:
        return all(map(_libyaml_safe, value))
    if kind is str:
        return bool(value.isascii())
    return kind in (int, float, bool, type(None))


def dump_yaml(document: dict[str, Any]) -> str:
    """``yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=10**6)``: keys in
    the document's order, no folded lines. Through libyaml (about 6x faster: a project's rule
    file was most of a small build's own time) where it writes the same bytes."""
    fast = getattr(yaml, "CSafeDumper", None)
    dumper = fast if fast is not None and _libyaml_safe(document) else yaml.SafeDumper
    return yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=10**6)
