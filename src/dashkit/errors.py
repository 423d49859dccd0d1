"""One error type that knows where it happened, so every failure prints as one useful line."""
from __future__ import annotations

import attrs


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
                panel: str | None = None) -> "DashkitError":
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

    def __init__(self, errors: "list[DashkitError] | tuple[DashkitError, ...]") -> None:
        flat: list[DashkitError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, DashkitErrors) else [error])
        super().__init__(f"{len(flat)} error{'s' * (len(flat) != 1)}")
        self.errors = tuple(flat)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


def raise_all(errors: "list[DashkitError]") -> None:
    """Raise the one error as itself, several together, none not at all."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DashkitErrors(errors)
