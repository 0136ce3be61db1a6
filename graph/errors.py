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
