"""Composites: groups of panels written once (golden signals, an error ratio, firing alerts).

A thin public module: the code lives in ``dashkit.sdk.composites``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.sdk.composites import error_ratio, firing_alerts_table, golden_signals

__all__ = ["error_ratio", "firing_alerts_table", "golden_signals"]
