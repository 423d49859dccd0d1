"""One dashboard imported: its module generated twice (once from the input, once from what that
module compiles to), formatted by ruff, and run through codecheck before anything is written.
``import_files`` does the same for a run's files, formatting their modules together."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import attrs
import orjson

from dashkit.errors import DashkitError
from dashkit.grafana.normalise import Loaded, loaded_from
from dashkit.importer.codecheck import run_module
from dashkit.importer.formatting import format_module
from dashkit.importer.generator import ImportResult, first_pass, generate_pass


def import_model(loaded: Loaded, module: str) -> ImportResult:
    """One dashboard as Python source; raise DashkitError when it cannot be a dashboard.

    Generated twice: once from the input, once from what that module compiles to. The second
    pass sees the dashboard the way dashkit writes it, so importing dashkit's own output gives
    the same module again.
    """
    generated = generate_model(loaded, module)
    with _located(loaded):
        formatted = format_module(generated.source)
    return finish_model(loaded, generated, formatted)


def generate_model(loaded: Loaded, module: str) -> ImportResult:
    """:func:`import_model`'s module before it is formatted and run (``import_files`` formats
    a run's modules together, then finishes each with :func:`finish_model`)."""
    with _located(loaded):
        first = first_pass(loaded)
        # its own JSON, reloaded as a file of it would be (orjson: dashkit wrote every value)
        text = orjson.dumps(first.compiled(), option=orjson.OPT_SORT_KEYS)
        again = loaded_from(orjson.loads(text), loaded.source)[0]
        return generate_pass(again, module, first.notes, first.record, owned=True)


def finish_model(loaded: Loaded, generated: ImportResult, formatted: str) -> ImportResult:
    """The generated module as formatted, with the dashboard its checked run defines."""
    with _located(loaded):
        return attrs.evolve(generated, source=formatted,
                            dashboard=run_module(formatted)["dashboard"])


@contextlib.contextmanager
def _located(loaded: Loaded) -> Iterator[None]:
    """Errors of importing ``loaded`` as one-line DashkitErrors naming its file."""
    try:
        yield
    except DashkitError as error:
        raise error.located(file=loaded.source) from None
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        # a field of a shape dashkit cannot rebuild (a variable name Grafana would refuse, …)
        title = loaded.model.get("title")
        raise DashkitError(f"cannot be rebuilt as dashkit code: {type(error).__name__}: {error}",
                           file=loaded.source, dashboard=str(title) if title else None) from None
