"""Service level objectives: their recording rules, burn-rate alerts, rule tests and dashboard row.

A thin public module: the code lives in ``dashkit.sdk.slo``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.sdk.slo import BURN_RATES, SLO, BurnRate, Events, Latency, check_slos, slo_catalog, slo_row, slo_rule_tests

__all__ = ["BURN_RATES", "SLO", "BurnRate", "Events", "Latency", "check_slos", "slo_catalog", "slo_row",
           "slo_rule_tests"]
