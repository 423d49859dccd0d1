"""What the tests that publish through both of Grafana's APIs share: the ways to publish (classic
API; dashboard API with a v1 or a v2 spec) and a Grafana 13.2 stand-in serving both."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from standins.grafana_api import GrafanaAPIStandIn
from test_publish import TOKEN

WAYS = {"classic": ("--api", "legacy"),
        "dashboard-api-v1": ("--api", "dashboards", "--schema", "v1"),
        "dashboard-api-v2": ("--api", "dashboards", "--schema", "v2")}


@pytest.fixture
def api() -> Iterator[GrafanaAPIStandIn]:
    standin = GrafanaAPIStandIn(profile="grafana_13_2", token=TOKEN).start()  # serves both APIs
    yield standin
    standin.stop()


@pytest.fixture(params=sorted(WAYS))
def way(request: pytest.FixtureRequest) -> tuple[str, ...]:
    return WAYS[request.param]
