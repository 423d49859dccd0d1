"""The project's alerting and recording rules, checked like panels: each rule's expression runs
against the live Prometheus, so an alert on a metric that no longer exists is reported as
"unknown metric" or "empty", exactly as a panel would be."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashkit.sdk.alerts import Alert, RuleGroup

#: The uid under which the rules appear in a check report.
RULES_UID = "prometheus-rules"


def rules_model(groups: Sequence[RuleGroup]) -> dict[str, Any]:
    """The rules as a dashboard that ``check_dashboard`` runs: a panel a rule, its signal (for
    an alert, the value it compares with its limit) as the query, over the last 5 minutes."""
    datasource = {"type": "prometheus", "uid": "prometheus"}
    panels = []
    for number, rule in enumerate((r for g in groups for r in g.rules), start=1):
        kind = "alert" if isinstance(rule, Alert) else "record"
        panels.append({"id": number, "type": "timeseries", "title": f"{kind} {rule.name}",
                       "datasource": datasource, "gridPos": {"x": 0, "y": number, "w": 24, "h": 1},
                       "targets": [{"refId": "A", "expr": rule.signal.text, "instant": True,
                                    "datasource": datasource}]})
    return {"uid": RULES_UID, "title": "Alerting and recording rules", "panels": panels,
            "time": {"from": "now-5m", "to": "now"}, "templating": {"list": []}}
