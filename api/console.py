"""Shared CLI output and error handling: one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from graph.errors import GraphError, SettingsError, StoreUnavailableError
from ingest.errors import IngestError

out = Console()
err = Console(stderr=True, soft_wrap=True)

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3


def fail(message: str, code: int = EXIT_FAILURE) -> typer.Exit:
    """Print ``error: message`` and return the Exit to raise."""
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True)
    return typer.Exit(code)


@contextmanager
def errors() -> Iterator[None]:
    """Known errors become one line: exit 2 for settings, 3 for an unreachable store, 1 otherwise."""
    try:
        yield
    except SettingsError as e:
        raise fail(str(e), EXIT_USAGE) from None
    except StoreUnavailableError as e:
        raise fail(str(e), EXIT_UNAVAILABLE) from None
    except (GraphError, IngestError) as e:
        raise fail(str(e)) from None
