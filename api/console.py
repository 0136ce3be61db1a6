"""Shared CLI output and error handling: one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import typer
from rich.console import Console

from graph.analytics.config import use_file as use_analytics_file
from graph.errors import GraphError, SettingsError, StoreUnavailableError
from graph.factory import open_store
from graph.settings import Settings, load_settings
from graph.store import GraphStore
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


@contextmanager
def store_session() -> Iterator[tuple[Settings, GraphStore]]:
    """Settings and the configured store for one command; errors become one line and an exit code."""
    with errors():
        settings = load_settings()
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        use_analytics_file(settings.analytics_file)
        store = open_store(settings)
        try:
            yield settings, store
        finally:
            store.close()


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date option, or exit 2 naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date (YYYY-MM-DD)", EXIT_USAGE) from None
