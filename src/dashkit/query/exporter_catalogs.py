"""Catalogs of metric sets every team shares: prom-client, node-exporter, postgres-exporter,
redis-exporter and Prometheus itself.

Only names that both the current releases and Debian 12's packages (node-exporter 1.5,
postgres-exporter 0.11, redis-exporter 1.45, Prometheus 2.42) expose are listed, so a dashboard
written against them works on either generation.
"""
from __future__ import annotations

from dashkit.query.catalog import Catalog, Metric

#: prom-client's ``collectDefaultMetrics`` prefix used when none is given.
DEFAULT_PROM_CLIENT_PREFIX = ""


def prom_client(prefix: str = DEFAULT_PROM_CLIENT_PREFIX) -> Catalog:
    """prom-client's default Node.js metrics; ``prefix`` is ``collectDefaultMetrics({prefix})``."""
    p = prefix
    gc_buckets = (0.001, 0.01, 0.1, 1, 2, 5)
    return Catalog(f"prom-client({prefix!r})", [
        Metric.counter(f"{p}process_cpu_user_seconds_total", help="User CPU time spent", unit="s"),
        Metric.counter(f"{p}process_cpu_system_seconds_total", help="System CPU time spent", unit="s"),
        Metric.counter(f"{p}process_cpu_seconds_total", help="Total user and system CPU time", unit="s"),
        Metric.gauge(f"{p}process_start_time_seconds", help="Start time of the process since epoch",
              unit="dateTimeFromNow"),
        Metric.gauge(f"{p}process_resident_memory_bytes", help="Resident memory size", unit="bytes"),
        Metric.gauge(f"{p}process_virtual_memory_bytes", help="Virtual memory size", unit="bytes"),
        Metric.gauge(f"{p}process_heap_bytes", help="Process heap size", unit="bytes"),
        Metric.gauge(f"{p}process_open_fds", help="Open file descriptors"),
        Metric.gauge(f"{p}process_max_fds", help="Maximum file descriptors"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_seconds", help="Event loop lag", unit="s"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_min_seconds", unit="s"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_max_seconds", unit="s"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_mean_seconds", unit="s"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_stddev_seconds", unit="s"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_p50_seconds", unit="s"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_p90_seconds", unit="s"),
        Metric.gauge(f"{p}nodejs_eventloop_lag_p99_seconds", unit="s"),
        Metric.gauge(f"{p}nodejs_active_handles", ["type"], help="Active libuv handles by type"),
        Metric.gauge(f"{p}nodejs_active_handles_total", help="Active libuv handles"),
        Metric.gauge(f"{p}nodejs_active_requests", ["type"], help="Active libuv requests by type"),
        Metric.gauge(f"{p}nodejs_active_requests_total", help="Active libuv requests"),
        Metric.gauge(f"{p}nodejs_active_resources", ["type"]),
        Metric.gauge(f"{p}nodejs_active_resources_total"),
        Metric.gauge(f"{p}nodejs_heap_size_total_bytes", help="V8 heap size", unit="bytes"),
        Metric.gauge(f"{p}nodejs_heap_size_used_bytes", help="V8 heap used", unit="bytes"),
        Metric.gauge(f"{p}nodejs_external_memory_bytes", help="Node.js external memory", unit="bytes"),
        Metric.gauge(f"{p}nodejs_heap_space_size_total_bytes", ["space"], unit="bytes"),
        Metric.gauge(f"{p}nodejs_heap_space_size_used_bytes", ["space"], unit="bytes"),
        Metric.gauge(f"{p}nodejs_heap_space_size_available_bytes", ["space"], unit="bytes"),
        Metric.info(f"{p}nodejs_version_info", ["version", "major", "minor", "patch"]),
        Metric.histogram(f"{p}nodejs_gc_duration_seconds", ["kind"], help="Garbage collection duration",
                  unit="s", buckets=gc_buckets),
    ])


NODE_EXPORTER = Catalog("node-exporter", [
    Metric.counter("node_cpu_seconds_total", ["cpu", "mode"], "Seconds the CPUs spent in each mode", "s"),
    Metric.gauge("node_memory_MemTotal_bytes", help="Memory total", unit="bytes"),
    Metric.gauge("node_memory_MemAvailable_bytes", help="Memory available", unit="bytes"),
    Metric.gauge("node_memory_MemFree_bytes", unit="bytes"),
    Metric.gauge("node_memory_Buffers_bytes", unit="bytes"),
    Metric.gauge("node_memory_Cached_bytes", unit="bytes"),
    Metric.gauge("node_memory_SwapTotal_bytes", unit="bytes"),
    Metric.gauge("node_memory_SwapFree_bytes", unit="bytes"),
    Metric.gauge("node_filesystem_avail_bytes", ["device", "fstype", "mountpoint"], unit="bytes"),
    Metric.gauge("node_filesystem_free_bytes", ["device", "fstype", "mountpoint"], unit="bytes"),
    Metric.gauge("node_filesystem_size_bytes", ["device", "fstype", "mountpoint"], unit="bytes"),
    Metric.gauge("node_filesystem_readonly", ["device", "fstype", "mountpoint"]),
    Metric.counter("node_network_receive_bytes_total", ["device"], unit="bytes"),
    Metric.counter("node_network_transmit_bytes_total", ["device"], unit="bytes"),
    Metric.counter("node_network_receive_errs_total", ["device"]),
    Metric.counter("node_network_transmit_errs_total", ["device"]),
    Metric.counter("node_disk_read_bytes_total", ["device"], unit="bytes"),
    Metric.counter("node_disk_written_bytes_total", ["device"], unit="bytes"),
    Metric.counter("node_disk_io_time_seconds_total", ["device"], unit="s"),
    Metric.gauge("node_load1", help="1m load average"),
    Metric.gauge("node_load5", help="5m load average"),
    Metric.gauge("node_load15", help="15m load average"),
    Metric.gauge("node_boot_time_seconds", unit="s"),
    Metric.gauge("node_time_seconds", unit="s"),
    Metric.info("node_uname_info", ["sysname", "release", "version", "machine", "nodename", "domainname"]),
])

#: Labels only postgres-exporter 0.11 and older attach (dropped in later releases): queries must
#: not rely on them, so the catalog leaves them out.
GENERATION_SPECIFIC_LABELS = frozenset({"server"})

POSTGRES_EXPORTER = Catalog("postgres-exporter", [
    Metric.gauge("pg_up", help="Whether the last scrape of PostgreSQL succeeded"),
    Metric.gauge("pg_settings_max_connections", help="max_connections setting"),
    Metric.gauge("pg_stat_database_numbackends", ["datid", "datname"], "Backends connected to the database"),
    Metric.counter("pg_stat_database_xact_commit", ["datid", "datname"], "Committed transactions"),
    Metric.counter("pg_stat_database_xact_rollback", ["datid", "datname"], "Rolled back transactions"),
    Metric.counter("pg_stat_database_blks_hit", ["datid", "datname"], "Buffer cache hits"),
    Metric.counter("pg_stat_database_blks_read", ["datid", "datname"], "Disk blocks read"),
    Metric.counter("pg_stat_database_deadlocks", ["datid", "datname"], "Deadlocks detected"),
    Metric.counter("pg_stat_database_tup_fetched", ["datid", "datname"]),
    Metric.counter("pg_stat_database_tup_inserted", ["datid", "datname"]),
    Metric.counter("pg_stat_database_tup_updated", ["datid", "datname"]),
    Metric.counter("pg_stat_database_tup_deleted", ["datid", "datname"]),
    Metric.gauge("pg_database_size_bytes", ["datname"], "Database size", "bytes"),
    Metric.gauge("pg_stat_activity_count", ["datname", "state", "application_name", "backend_type", "usename"],
          "Connections by state"),
    Metric.gauge("pg_stat_activity_max_tx_duration", ["datname", "state", "application_name",
                                               "backend_type", "usename"], unit="s"),
])

REDIS_EXPORTER = Catalog("redis-exporter", [
    Metric.gauge("redis_up", help="Whether the last scrape of Redis succeeded"),
    Metric.gauge("redis_memory_used_bytes", help="Memory used", unit="bytes"),
    Metric.gauge("redis_memory_max_bytes", help="maxmemory (0 = unlimited)", unit="bytes"),
    Metric.gauge("redis_connected_clients", help="Connected clients"),
    Metric.gauge("redis_blocked_clients"),
    Metric.counter("redis_commands_processed_total", help="Commands processed"),
    Metric.counter("redis_keyspace_hits_total", help="Keyspace hits"),
    Metric.counter("redis_keyspace_misses_total", help="Keyspace misses"),
    Metric.counter("redis_evicted_keys_total", help="Evicted keys"),
    Metric.counter("redis_expired_keys_total"),
    Metric.gauge("redis_db_keys", ["db"], "Keys per database"),
    Metric.gauge("redis_uptime_in_seconds", unit="s"),
])

PROMETHEUS = Catalog("prometheus", [
    Metric.gauge("up", help="1 if the target's last scrape succeeded"),
    Metric.gauge("scrape_duration_seconds", help="Duration of the last scrape", unit="s"),
    Metric.gauge("scrape_samples_scraped"),
    Metric.gauge("prometheus_tsdb_head_series", help="Series in the head block"),
    Metric.counter("prometheus_tsdb_head_samples_appended_total", ["type"], "Samples appended to the head"),
    Metric.gauge("prometheus_config_last_reload_successful"),
    Metric.counter("prometheus_rule_evaluation_failures_total", ["rule_group"]),
    Metric.gauge("ALERTS", ["alertname", "alertstate", "severity"], "Active alerts (one series per alert)",
          open_labels=True, scraped=False),
])

#: Every built-in catalog except prom-client, which needs its prefix.
EXPORTERS = NODE_EXPORTER + POSTGRES_EXPORTER + REDIS_EXPORTER + PROMETHEUS
