"""Shared metric catalogs: prom-client, node-exporter, postgres-exporter, redis-exporter, Prometheus.

A thin public module: the code lives in ``dashkit.query.exporter_catalogs``; this is the one path users import.
"""
from __future__ import annotations

from dashkit.query.exporter_catalogs import (
    DEFAULT_PROM_CLIENT_PREFIX,
    EXPORTERS,
    GENERATION_SPECIFIC_LABELS,
    NODE_EXPORTER,
    POSTGRES_EXPORTER,
    PROMETHEUS,
    REDIS_EXPORTER,
    prom_client,
)

__all__ = ["DEFAULT_PROM_CLIENT_PREFIX", "EXPORTERS", "GENERATION_SPECIFIC_LABELS", "NODE_EXPORTER",
           "POSTGRES_EXPORTER", "PROMETHEUS", "REDIS_EXPORTER", "prom_client"]
