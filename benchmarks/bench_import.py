"""Import timings: the whole corpus (18 files), and its largest file, Node Exporter Full; and the
size of each generated module against the dashboard's JSON pretty-printed with indent 2.

Run: .venv/bin/python benchmarks/bench_import.py [--repeat R]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_build import timed  # noqa: E402

from dashkit.grafana.model import iter_panels  # noqa: E402
from dashkit.grafana.normalise import load_json  # noqa: E402
from dashkit.importer.files import module_name  # noqa: E402
from dashkit.importer.pipeline import import_model  # noqa: E402
from dashkit.text import format_table  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def import_all(files: list[Path]) -> int:
    lines = 0
    for file in files:
        for loaded in load_json(file):
            lines += len(import_model(loaded, module_name(loaded.name)).source.splitlines())
    return lines


def size_table(files: list[Path]) -> list[tuple[str, int, int, float]]:
    """(file, module bytes, indent-2 JSON bytes, ratio) for every dashboard of ``files``."""
    rows = []
    for file in files:
        for loaded in load_json(file):
            module = import_model(loaded, module_name(loaded.name)).source.encode()
            pretty = json.dumps(loaded.model, indent=2, ensure_ascii=False).encode()
            rows.append((file.name, len(module), len(pretty), len(module) / len(pretty)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(CORPUS.glob("*.json"))
    largest = CORPUS / "node-exporter-full.json"
    panels = sum(1 for p in iter_panels(load_json(largest)[0].model["panels"]) if p.get("type") != "row")
    corpus_time = timed(lambda: import_all(files), args.repeat)
    largest_time = timed(lambda: import_all([largest]), args.repeat)
    rows = [(f"import the corpus ({len(files)} files, {import_all(files)} lines of Python)",
             f"{corpus_time * 1000:.0f} ms"),
            (f"import node-exporter-full.json ({panels} panels)", f"{largest_time * 1000:.0f} ms")]
    print(format_table(("benchmark", f"median of {args.repeat}"), rows))
    sizes = size_table(files)
    print()
    print(format_table(("dashboard", "module bytes", "JSON bytes (indent 2)", "module / JSON"),
                       [(n, f"{m:,}", f"{j:,}", f"{r:.0%}") for n, m, j, r in sizes]))
    ratios = [r for *_, r in sizes]
    print(f"median {statistics.median(ratios):.0%}, largest {max(ratios):.0%} "
          "(goal: median at most 35%, none over 60%)")


if __name__ == "__main__":
    main()
