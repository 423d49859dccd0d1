"""Type-checking dashboards against Grafana's own published TypeScript types: npm's
``@grafana/schema`` (Apache-2.0), with npm's ``typescript``, installed into a cache folder.

Each dashboard is written as a typed literal (``const d: Dashboard = {...};``), so TypeScript's
excess-property checks apply to every nested object, and ``tsc --strict --noEmit`` reports what
does not fit. Two kinds of report are not defects of the JSON, and are filtered out:

- **string enums**: JSON cannot spell a TypeScript enum member, only its value. An error
  ``Type '"absolute"' is not assignable to type 'ThresholdsMode'`` is dropped only when
  ``"absolute"`` really is a value of the enum ``ThresholdsMode`` in @grafana/schema's own
  declarations (read from its .d.ts files).
- **a datasource's annotation fields**: @grafana/schema types an annotation's ``target`` as the
  generic ``DataQuery`` (refId, hide, queryType, datasource) and the annotation itself without
  the fields a datasource's annotation editor adds, while panel targets are
  ``Record<string, unknown>``. Grafana's Prometheus annotation editor
  (``packages/grafana-prometheus/src/components/AnnotationQueryEditor.tsx``) writes ``expr`` and
  ``interval`` into ``target`` and ``titleFormat``, ``textFormat``, ``tagKeys`` and
  ``useValueForTime`` beside it: exactly those, and only on an annotation, are dropped.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from conftest import unavailable

TYPESCRIPT = "5.9.3"
GRAFANA_SCHEMA = "13.2.3"
CACHE = Path(os.environ.get("DASHKIT_TS_CACHE", Path.home() / ".cache" / "dashkit-typescript"))
TSCONFIG = {"compilerOptions": {"strict": True, "noEmit": True, "target": "es2020",
                                "module": "esnext", "moduleResolution": "bundler",
                                "skipLibCheck": True, "types": []}, "include": ["*.ts"]}
ERROR = re.compile(r"^(?P<file>[^(]+)\((?P<line>\d+),(?P<col>\d+)\): error (?P<code>TS\d+): "
                   r"(?P<message>.*)$")
ENUM_VALUE = re.compile(r"Type '\"(?P<value>[^\"]*)\"' is not assignable to type '(?P<enum>\w+)'\.")
EXCESS = re.compile(r"'\"?(?P<field>\w+)\"?' does not exist in type '(?P<type>[\w<>]+)'")
#: What Grafana's Prometheus annotation editor writes, and where (see the module's docstring).
ANNOTATION_FIELDS = {"DataQuery": {"expr", "interval"},
                     "AnnotationQuery<DataQuery>": {"titleFormat", "textFormat", "tagKeys",
                                                    "useValueForTime"}}

#: Fields Grafana reads that @grafana/schema 13's types lack, by the type tsc names (an override
#: is an anonymous ``{ matcher; properties }``): an imported dashboard may keep them, and the
#: import must say so in its notes. Each from Grafana's own code: a query variable's
#: ``definition`` (the variable editors write it), an ad hoc variable's ``defaultKeys``, an
#: interval variable's ``auto`` (templating's interval variable), the built-in Grafana annotation
#: query's ``limit``/``matchAny``/``tags``/``type``, a Loki annotation's ``expr`` (Loki's
#: annotation editor), the series-visibility override's ``__systemRef``.
UNTYPED_FIELDS = {"VariableModel": {"definition", "defaultKeys", "auto"},
                  "DataQuery": {"limit", "matchAny", "tags", "type"},
                  "AnnotationQuery<DataQuery>": {"expr"},
                  "override": {"__systemRef"}}
_OVERRIDE_TYPE = "{ matcher: MatcherConfig; properties: { id: string; value?: unknown; }[]; }"


def untyped_field(error: str) -> str | None:
    """The field of ``UNTYPED_FIELDS`` an error of ``type_errors`` is about, else None."""
    excess = EXCESS.search(error.replace(_OVERRIDE_TYPE, "override"))
    if " TS2353 " not in error or excess is None:
        return None
    return excess["field"] if excess["field"] in UNTYPED_FIELDS.get(excess["type"], ()) else None


def tools() -> Path:
    """The cache folder with typescript and @grafana/schema installed (npm, once)."""
    marker = CACHE / f".installed-{TYPESCRIPT}-{GRAFANA_SCHEMA}"
    if marker.exists():
        return CACHE
    npm = shutil.which("npm")
    if npm is None:
        unavailable("needs node and npm to install typescript and @grafana/schema")
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "package.json").write_text(json.dumps({"private": True}))
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent",
                    f"typescript@{TYPESCRIPT}", f"@grafana/schema@{GRAFANA_SCHEMA}"],
                   cwd=CACHE, check=True, timeout=600, capture_output=True)
    marker.write_text("")
    return CACHE


def enum_values(cache: Path) -> dict[str, set[str]]:
    """Every string enum of @grafana/schema's declarations and its values."""
    found: dict[str, set[str]] = {}
    for path in (cache / "node_modules" / "@grafana" / "schema" / "dist" / "types").rglob("*.d.ts"):
        for name, body in re.findall(r"enum (\w+) \{([^}]*)\}", path.read_text()):
            found.setdefault(name, set()).update(re.findall(r'=\s*"([^"]*)"', body))
    return found


V2_MODULE = "@grafana/schema/apis/dashboard.grafana.app/v2"
#: A v2 resource file: @grafana/schema's v2 ``Spec``, in the Kubernetes object a file or an API
#: call carries (the package's ``Dashboard`` also requires the ``status`` a server adds, and its
#: exported ``Metadata`` is the server-side one; the part of ObjectMeta a client writes is here).
V2_RESOURCE = ('{ apiVersion: "dashboard.grafana.app/v2"; kind: "Dashboard"; metadata: '
               '{ name: string; namespace?: string; resourceVersion?: string; '
               'annotations?: Record<string, string>; labels?: Record<string, string> }; '
               'spec: Spec }')


def v2_type_errors(resources: Mapping[str, Any]) -> dict[str, list[str]]:
    """``type_errors`` of v2 resource files against @grafana/schema's dashboard v2 types."""
    return type_errors(resources, V2_RESOURCE, V2_MODULE, imports="Spec")


def type_errors(models: Mapping[str, Any], type_name: str = "Dashboard",
                module: str = "@grafana/schema", imports: str | None = None
                ) -> dict[str, list[str]]:
    """``tsc --strict`` errors of each model as a typed literal of ``type_name`` (imported from
    ``module``, or a type expression over ``imports``), after the two filters of the module's
    docstring; by model name."""
    cache = tools()
    enums = enum_values(cache)
    files, texts = {}, {}
    for index, (name, model) in enumerate(sorted(models.items())):
        file = f"d{index}.ts"
        files[file] = name
        text = json.dumps(model, indent=2, ensure_ascii=False)
        texts[file] = (f'import type {{ {imports or type_name} }} from "{module}";\n'
                       f"export const d: {type_name} = {text};\n")
    errors: dict[str, list[str]] = {name: [] for name in models}
    for line in tsc_report(cache, texts).splitlines():
        match = ERROR.match(line.strip())
        if match is None:
            continue
        message = match["message"]
        enum = ENUM_VALUE.search(message)
        if enum and enum["value"] in enums.get(enum["enum"], set()):
            continue
        excess = EXCESS.search(message)
        if match["code"] == "TS2353" and excess and excess["field"] in ANNOTATION_FIELDS.get(
                excess["type"], set()):
            continue
        errors[files[Path(match["file"]).name]].append(
            f"line {match['line']}: {match['code']} {message}")
    return errors


def tsc_report(cache: Path, texts: Mapping[str, str]) -> str:
    """``tsc --strict``'s report on the files ``texts`` (name: source). tsc is deterministic, so
    the report is kept in the cache under a hash of everything it depends on (the files, the
    compiler options, the versions of typescript and @grafana/schema): the compiler runs again
    whenever any of them changes, and an unchanged check costs no 5-7 s of compiling."""
    key = hashlib.sha256(json.dumps([TYPESCRIPT, GRAFANA_SCHEMA, TSCONFIG, sorted(texts.items())],
                                    ensure_ascii=False).encode()).hexdigest()
    kept = cache / "reports" / f"{key}.txt"
    if kept.exists():
        return kept.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(dir=cache) as folder:
        for file, text in texts.items():
            (Path(folder) / file).write_text(text, encoding="utf-8")
        (Path(folder) / "tsconfig.json").write_text(json.dumps(TSCONFIG))
        done = subprocess.run(["node", str(cache / "node_modules" / "typescript" / "bin" / "tsc"),
                               "-p", folder, "--pretty", "false"],
                              capture_output=True, text=True, timeout=600)
    if done.returncode in (0, 1, 2) and not done.stderr:  # a report, not a crash: keep it
        kept.parent.mkdir(exist_ok=True)
        partial = kept.with_suffix(f".{os.getpid()}.part")
        partial.write_text(done.stdout, encoding="utf-8")
        os.replace(partial, kept)
    return done.stdout
