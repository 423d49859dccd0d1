"""The plan's two JSON dashboards, as it wrote them (wrapped in {"dashboard": …}), read from the
markdown of ../shared/easymo/phase4-observability-plan.md."""
from __future__ import annotations

import re
from pathlib import Path

PLAN = Path(__file__).resolve().parents[3] / "shared" / "easymo" / "phase4-observability-plan.md"


def plan_dashboards(plan: Path = PLAN) -> dict[str, str]:
    """``{"system-overview.json": "<json text>", "business-metrics.json": …}``."""
    text = plan.read_text(encoding="utf-8")
    blocks = re.findall(r"File: `monitoring/grafana/dashboards/([\w-]+\.json)`\s*```json\n(.*?)```",
                        text, re.S)
    return dict(blocks)


if __name__ == "__main__":
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for name, body in plan_dashboards().items():
        (out / name).write_text(body, encoding="utf-8")
        print(out / name)
