"""The graph package's exception hierarchy: one root, specific subclasses."""

from __future__ import annotations


class GraphError(Exception):
    """Root of every error raised by the graph package."""


class SettingsError(GraphError):
    """A setting has an invalid value; the message names the variable."""


class GraphStoreError(GraphError):
    """A graph store operation failed."""


class StoreUnavailableError(GraphStoreError):
    """The store cannot be reached or opened (server down, file unreadable)."""


class StoreAuthError(StoreUnavailableError):
    """The store rejected our credentials."""


class InvalidInputError(GraphStoreError):
    """Input to a store call is invalid; nothing of the call was written."""


class MissingReferenceError(InvalidInputError):
    """A node or edge refers to nodes that do not exist; nothing of the batch was written."""


class NotFoundError(GraphStoreError):
    """A requested node does not exist."""


class QueryRejectedError(InvalidInputError):
    """An analyst's Cypher query was refused; nothing was written.

    ``reason`` is a short machine-readable code (``write``, ``procedure``, ``too_many_rows`` ...);
    the message names what was refused and why.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class QueryTimeoutError(GraphStoreError):
    """An analyst's query ran longer than its time limit and was stopped by the server."""

    reason = "timeout"


class ParameterError(InvalidInputError):
    """A named query's parameter is unknown, missing or out of range; ``parameter`` names it."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class UnsupportedError(GraphStoreError):
    """The configured store cannot do this (e.g. analyst Cypher on the embedded store)."""
