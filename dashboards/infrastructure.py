"""Infrastructure: the host, PostgreSQL, Redis and Prometheus itself."""
from __future__ import annotations

import alerts as a
import easymo as e

from dashkit import Panel, Row, Target, Thresholds, above, below, panels, promql, value_map, variables

NODE = {"instance": promql.var("node")}
#: Pseudo filesystems that have no disk behind them.
REAL_FS = {**NODE, "fstype": promql.nre("tmpfs|ramfs|devtmpfs|squashfs|nsfs|proc|sysfs")}
UP_DOWN = [value_map({0: ("DOWN", "red"), 1: ("UP", "green")})]
UP_COLOURS = Thresholds(((None, "red"), (1, "green")))
USAGE = above(e.HOST_USAGE_CRIT, warn=e.HOST_USAGE_WARN)


def up_stat(title: str, series: str) -> Panel:
    return panels.stat(title, promql.min_(promql.sel(series)), mappings=UP_DOWN,
                       thresholds=UP_COLOURS, color_background=True, w=4, h=4)


def hit_ratio(hits: str, misses: str, where: promql.Matchers | None = None) -> promql.Expr:
    """hits / (hits + misses), both as rates: a cache's hit ratio."""
    hit_rate = promql.rate_sum(hits, where=where)
    return hit_rate / (hit_rate + promql.rate_sum(misses, where=where))


# --- host ---------------------------------------------------------------------------------------
cpu = panels.timeseries(
    "CPU usage",
    1 - promql.avg(promql.rate(promql.sel("node_cpu_seconds_total", where={"mode": "idle", **NODE})),
                   ["instance"]),
    unit="percentunit", min=0, max=1, legend="{{instance}}", thresholds=USAGE, w=8)

memory = panels.timeseries(
    "Memory usage",
    1 - promql.sel("node_memory_MemAvailable_bytes", where=NODE)
    / promql.sel("node_memory_MemTotal_bytes", where=NODE),
    unit="percentunit", min=0, max=1, legend="{{instance}}", thresholds=USAGE, w=8)

disk = panels.timeseries(
    "Disk space available",
    promql.sel("node_filesystem_avail_bytes", where=REAL_FS)
    / promql.sel("node_filesystem_size_bytes", where=REAL_FS),
    unit="percentunit", min=0, max=1, legend="{{instance}} {{mountpoint}}",
    alert=a.DISK_SPACE_LOW,
    description="DiskSpaceLow fires when a filesystem stays below the red line for 5m.", w=8)

network = panels.timeseries(
    "Network traffic",
    Target(promql.rate_sum("node_network_receive_bytes_total", ["instance", "device"],
                           where={"device": promql.ne("lo"), **NODE}), "in {{instance}} {{device}}"),
    Target(promql.rate_sum("node_network_transmit_bytes_total", ["instance", "device"],
                           where={"device": promql.ne("lo"), **NODE}), "out {{instance}} {{device}}"),
    unit="Bps", w=12)

load = panels.timeseries(
    "Load average",
    *[Target(promql.sel(f"node_load{n}", where=NODE), f"{n}m {{{{instance}}}}") for n in (1, 5, 15)],
    min=0, w=12)

# --- PostgreSQL ---------------------------------------------------------------------------------
pg_up = up_stat("PostgreSQL", "pg_up")

pg_connections = panels.timeseries(
    "PostgreSQL connections",
    Target(promql.sum_(promql.sel("pg_stat_database_numbackends")), "connections"),
    Target(promql.max_(promql.sel("pg_settings_max_connections")), "max_connections"),
    min=0, w=10, overrides=[{"matcher": {"id": "byName", "options": "max_connections"},
                             "properties": [{"id": "custom.lineStyle",
                                             "value": {"dash": [10, 10], "fill": "dash"}},
                                            {"id": "color", "value": {"fixedColor": "red",
                                                                      "mode": "fixed"}}]}])

pg_transactions = panels.timeseries(
    "PostgreSQL transactions /s",
    Target(promql.rate_sum("pg_stat_database_xact_commit", ["datname"]), "commit {{datname}}"),
    Target(promql.rate_sum("pg_stat_database_xact_rollback", ["datname"]), "rollback {{datname}}"),
    unit="ops", w=10)

pg_cache = panels.stat(
    "PostgreSQL cache hit ratio", hit_ratio("pg_stat_database_blks_hit", "pg_stat_database_blks_read"),
    unit="percentunit", decimals=1, thresholds=below(0.9, warn=0.99), w=4, h=4)

pg_deadlocks = panels.stat(
    "Deadlocks in range", promql.increase_sum("pg_stat_database_deadlocks"), decimals=0,
    thresholds=above(1), instant=True, no_value="0", w=4, h=4)

pg_size = panels.timeseries(
    "Database size", promql.sel("pg_database_size_bytes"), unit="bytes", legend="{{datname}}",
    w=20)

# --- Redis --------------------------------------------------------------------------------------
redis_up = up_stat("Redis", "redis_up")

redis_memory = panels.timeseries(
    "Redis memory",
    Target(promql.sel("redis_memory_used_bytes"), "used"),
    Target(promql.sel("redis_memory_max_bytes"), "maxmemory (0 = unlimited)"),
    unit="bytes", min=0, w=10)

redis_clients = panels.timeseries(
    "Redis clients", promql.sel("redis_connected_clients"), legend="clients", min=0, w=10)

redis_hits = panels.stat(
    "Redis hit ratio", hit_ratio("redis_keyspace_hits_total", "redis_keyspace_misses_total"),
    unit="percentunit", decimals=1, thresholds=below(0.8, warn=0.95), w=4, h=4)

redis_commands = panels.timeseries(
    "Redis commands /s", promql.rate_sum("redis_commands_processed_total"), unit="ops",
    legend="commands", w=10)

redis_evictions = panels.timeseries(
    "Redis evictions /s", promql.rate_sum("redis_evicted_keys_total"), unit="ops",
    legend="evictions", thresholds=above(1), w=10)

# --- Prometheus ---------------------------------------------------------------------------------
targets_up = panels.stat(
    "Targets up / down",
    Target(promql.sum_(promql.sel("up")), "up"),
    Target(promql.count(promql.sel("up")) - promql.sum_(promql.sel("up")), "down"),
    text_mode="value_and_name", thresholds=panels.NEUTRAL, w=6, h=6)

scrape_duration = panels.timeseries(
    "Scrape duration by job", promql.max_(promql.sel("scrape_duration_seconds"), ["job"]),
    unit="s", legend="{{job}}", min=0, w=6, h=6)

head_series = panels.timeseries(
    "Head series", promql.sel("prometheus_tsdb_head_series"), legend="series", min=0, w=6, h=6)

samples = panels.timeseries(
    "Samples ingested /s", promql.rate_sum("prometheus_tsdb_head_samples_appended_total"),
    unit="ops", legend="samples", w=6, h=6)

dashboard = e.make_dashboard(
    "infrastructure", "Infrastructure",
    description="Host, PostgreSQL, Redis and Prometheus health.",
    tags=["infrastructure"],
    variables=[variables.multi("node", variables.label_values("instance", "node_uname_info"),
                               e.PROM, label="Host")],
    panels=[
        Row("Host", [cpu, memory, disk, network, load]),
        Row("PostgreSQL", [pg_up, pg_connections, pg_transactions, pg_cache, pg_deadlocks, pg_size]),
        Row("Redis", [redis_up, redis_memory, redis_clients, redis_hits, redis_commands,
                      redis_evictions]),
        Row("Prometheus", [targets_up, scrape_duration, head_series, samples]),
    ],
)
