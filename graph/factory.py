"""open_store(settings): the one place that chooses and opens a graph store."""

from __future__ import annotations

from graph.embedded import EmbeddedStore
from graph.errors import StoreAuthError, StoreUnavailableError
from graph.settings import Settings
from graph.store import GraphStore


def open_store(settings: Settings) -> GraphStore:
    """Open the configured store; the neo4j driver is imported and connected only when chosen.

    Raises StoreUnavailableError (or StoreAuthError) with one line naming the URI or
    file and what failed.
    """
    if settings.graph_backend == "embedded":
        return EmbeddedStore(settings.embedded_path)
    return open_neo4j(settings)


def open_neo4j(settings: Settings) -> GraphStore:
    import neo4j
    from neo4j import exceptions as neo4j_errors

    from graph.neo4j_store import Neo4jStore

    uri = settings.neo4j_uri
    try:
        driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
            connection_timeout=settings.neo4j_connect_timeout,
            notifications_min_severity="OFF",
        )
    except (ValueError, neo4j_errors.ConfigurationError) as e:
        raise StoreUnavailableError(f"AUTOSCOPE_NEO4J_URI={uri!r} is not a usable Neo4j URI: {e}") from e
    try:
        driver.verify_connectivity()
    except neo4j_errors.AuthError as e:
        driver.close()
        raise StoreAuthError(
            f"Neo4j at {uri} rejected user {settings.neo4j_user!r}: check AUTOSCOPE_NEO4J_USER/AUTOSCOPE_NEO4J_PASSWORD"
        ) from e
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.DriverError, OSError) as e:
        driver.close()
        raise StoreUnavailableError(f"Neo4j at {uri} is unreachable: {e}") from e
    except neo4j_errors.Neo4jError as e:
        driver.close()
        raise StoreUnavailableError(f"Neo4j at {uri} refused the connection: {e.message}") from e
    store = Neo4jStore(driver, settings.neo4j_database, settings.write_batch_size, uri)
    try:
        store.ping()
    except StoreUnavailableError:
        store.close()
        raise
    except Exception as e:
        store.close()
        raise StoreUnavailableError(f"Neo4j at {uri}: database {settings.neo4j_database!r} is not usable: {e}") from e
    return store
