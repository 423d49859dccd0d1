"""One error type that knows where it happened, so every failure prints as one useful line."""
from __future__ import annotations

import os
import sys
from types import FrameType, TracebackType

import attrs

#: The name dashkit is installed by (pip): ``dashkit`` on the package index is someone else's.
#: The import package and the command stay ``dashkit``.
DISTRIBUTION = "dashkit-grafana"


def install_hint(extra: str) -> str:
    """How to install one of dashkit's optional extras, for messages that need it."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


#: dashkit's own files: a frame in them is never "the user's line".
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _shown(filename: str) -> str:
    relative = os.path.relpath(filename)
    return filename if relative.startswith("..") else relative


#: A place in the user's code: (file, line).
Site = tuple[str, int]


def call_site() -> Site | None:
    """The innermost caller outside dashkit (and outside generated code such as attrs' methods):
    the builder call a mistake should be reported at. Cheap: it runs for every panel built."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_PACKAGE) and not filename.startswith("<"):
            return filename, frame.f_lineno
        frame = frame.f_back
    return None


def user_site(site: Site | None = None) -> str | None:
    """``file:line`` of ``site`` (by default, the caller's :func:`call_site`), as errors show it."""
    site = site or call_site()
    return None if site is None else f"{_shown(site[0])}:{site[1]}"


def site_in(traceback: TracebackType | None, folder: str) -> str | None:
    """``file:line`` of the innermost frame of ``traceback`` in a file under ``folder``: where a
    dashboard module (or a helper module beside it) went wrong."""
    found = None
    prefix = os.path.abspath(folder) + os.sep
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if os.path.abspath(filename).startswith(prefix):
            found = f"{_shown(filename)}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return found


@attrs.define(eq=False)
class DashkitError(Exception):
    """A mistake in a dashboard definition, located as precisely as dashkit knows.

    Context is filled in as the error travels outwards: the panel builder knows the panel,
    the compiler adds the dashboard, the build adds the file.
    """

    message: str
    file: str | None = None
    dashboard: str | None = None
    panel: str | None = None

    def located(self, *, file: str | None = None, dashboard: str | None = None,
                panel: str | None = None) -> DashkitError:
        """Fill in whatever location is still unknown, keeping the innermost facts."""
        self.file = self.file or file
        self.dashboard = self.dashboard or dashboard
        self.panel = self.panel or panel
        return self

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.dashboard:
            where.append(f"dashboard {self.dashboard!r}")
        if self.panel:
            where.append(f"panel {self.panel!r}")
        return (": ".join([", ".join(where), self.message]) if where else self.message)


class DashkitErrors(DashkitError):
    """Several mistakes found in one run: every one is reported, each on its own line, so that
    one bad input never hides the others."""

    errors: tuple[DashkitError, ...]

    def __init__(self, errors: list[DashkitError] | tuple[DashkitError, ...]) -> None:
        flat: list[DashkitError] = []
        seen: set[str] = set()
        for error in errors:
            for each in error.errors if isinstance(error, DashkitErrors) else [error]:
                if str(each) not in seen:  # a shared module's error, once
                    seen.add(str(each))
                    flat.append(each)
        super().__init__(f"{len(flat)} error{'s' * (len(flat) != 1)}")
        self.errors = tuple(flat)

    def located(self, *, file: str | None = None, dashboard: str | None = None,
                panel: str | None = None) -> DashkitError:
        """Each error located where it is not yet: a panel's errors all name its dashboard."""
        for error in self.errors:
            error.located(file=file, dashboard=dashboard, panel=panel)
        return self

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def each_error(error: DashkitError) -> tuple[DashkitError, ...]:
    """The single errors ``error`` holds: itself, or each of several."""
    return error.errors if isinstance(error, DashkitErrors) else (error,)


def raise_all(errors: list[DashkitError]) -> None:
    """Raise the one error as itself, several together, none not at all."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DashkitErrors(errors)
