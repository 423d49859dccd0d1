"""The feature-coverage project (tests/projects/coverage): what the EasyMO dashboards do not use,
pinned in both schemas. Its classic and v2 outputs are snapshots in ``snapshots/coverage/`` (a
change shows up as a JSON diff; ``pytest --snapshot-update`` rewrites them, and the commit says
why), both are type-checked against @grafana/schema like the EasyMO ones, and the v2 output
reads back to the classic one."""
from __future__ import annotations

import json

import pytest
from conftest import ROOT
from grafana_types import type_errors, v2_type_errors
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation
from test_v2 import _v2_cannot_say

from dashkit import compile_project, dumps, load_project
from dashkit.grafana.grid import compaction_moves
from dashkit.grafana.v2 import to_v2_resource, to_v2_spec
from dashkit.grafana.v2_read import from_v2_spec

PROJECT = ROOT / "tests/projects/coverage"


class _CoverageSnapshot(SingleFileSnapshotExtension):
    """``snapshots/coverage/<name>.json``: beside the EasyMO ones, out of their stale check."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(ROOT / "snapshots" / "coverage")

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: object = 0) -> str:
        name = test_location.testname
        return name[name.index("[") + 1:-1]


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    (only,) = compile_project(load_project(PROJECT))
    return only.model


@pytest.mark.parametrize("name", ["feature-coverage"])
def test_classic_output(name, model, snapshot):
    assert dumps(model) == snapshot.use_extension(_CoverageSnapshot)


@pytest.mark.parametrize("name", ["feature-coverage.v2"])
def test_v2_output(name, model, snapshot):
    assert dumps(to_v2_resource(model, folder_uid="coverage")) == snapshot.use_extension(
        _CoverageSnapshot)


def test_both_outputs_have_no_type_errors(model):
    """@grafana/schema's ``Dashboard`` and v2 ``Spec`` under ``tsc --strict``. One known gap of
    the classic types: an interval variable's ``auto``/``auto_count``/``auto_min``, which
    Grafana reads and writes (the v2 IntervalVariableSpec has them), are not in ``VariableModel``
    (tsc names the first excess field of the object, ``auto``)."""
    (found,) = type_errors({"classic": model}).values()
    assert [e for e in found if "'\"auto\"' does not exist in type 'VariableModel'" not in e] == []
    assert len(found) == 1
    assert v2_type_errors({"v2": to_v2_resource(model)}) == {"v2": []}


def test_v2_reads_back_to_the_classic_model(model):
    back = from_v2_spec(json.loads(json.dumps(to_v2_spec(model))), model["uid"])
    assert _v2_cannot_say(back) == _v2_cannot_say(model)


def test_the_flow_layout_is_where_grafana_draws_it(model):
    """dashkit's own layout needs no compaction: Grafana's grid leaves every panel in place."""
    assert compaction_moves(model["panels"]) == []
