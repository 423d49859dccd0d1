"""``dashkit init`` pins the new project to exactly the dashkit that ran it, read from what pip
recorded when it installed dashkit (PEP 610's direct_url.json): never a bare name, which on the
package index belongs to an unrelated package."""
from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from dashkit.errors import DashkitError
from dashkit.project.scaffold import dashkit_requirement


class Installed(metadata.Distribution):
    """A distribution as pip leaves it: METADATA, and direct_url.json where it was not taken
    from an index."""

    def __init__(self, direct_url: dict[str, object] | str | None, version: str = "0.4.2"):
        self.files_ = {"METADATA": f"Metadata-Version: 2.1\nName: dashkit-grafana\nVersion: {version}\n"}
        if direct_url is not None:
            self.files_["direct_url.json"] = (direct_url if isinstance(direct_url, str)
                                              else json.dumps(direct_url))

    def read_text(self, filename: str) -> str | None:
        return self.files_.get(filename)

    def locate_file(self, path: str | Path) -> Path:
        return Path(path)


EXTRAS = "dashkit-grafana[import,preview]"


@pytest.mark.parametrize("record, expected", [
    (None, f"{EXTRAS}==0.4.2"),
    ({"url": "file:///home/me/dashkit", "dir_info": {"editable": True}},
     f"{EXTRAS} @ file:///home/me/dashkit"),
    ({"url": "file:///tmp/dashkit_grafana-0.4.2-py3-none-any.whl", "archive_info": {}},
     f"{EXTRAS} @ file:///tmp/dashkit_grafana-0.4.2-py3-none-any.whl"),
    ({"url": "https://github.com/acme/dashkit.git",
      "vcs_info": {"vcs": "git", "commit_id": "0123abc", "requested_revision": "main"}},
     f"{EXTRAS} @ git+https://github.com/acme/dashkit.git@0123abc"),
], ids=["index", "local path", "wheel", "vcs commit"])
def test_the_requirement_is_the_install_that_ran(record, expected):
    assert dashkit_requirement(Installed(record)) == expected


@pytest.mark.parametrize("record", [
    '{"url": "file:///tmp/x\\nevil-package", "dir_info": {}}',  # a second line for pip
    '{"url": "file:///tmp/a b", "dir_info": {}}',
    "not json", '{"dir_info": {}}', '["url"]',
])
def test_an_install_record_that_cannot_be_written_is_one_line(record):
    with pytest.raises(DashkitError) as refused:
        dashkit_requirement(Installed(record))
    assert "\n" not in str(refused.value) and "dashkit-grafana" in str(refused.value)
