"""Neo4j results made safe for JSON, and EXPLAIN plans read into :class:`graph.store.PlanInfo`.

Used by :class:`graph.neo4j_store.Neo4jStore` for analysts' own Cypher. Nodes become
``{"id", "labels", "properties"}`` and relationships ``{"id", "type", "start", "end", "properties"}``
(``id``, ``start`` and ``end`` are Neo4j element ids, so a client can stitch a graph; our own key
is ``properties.id``); paths become ``{"nodes", "relationships"}``; temporal values ISO-8601 text
(durations too); points ``{"srid", "x", "y"[, "z"]}``; bytes base64; NaN and infinities text.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from neo4j.exceptions import Neo4jError
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point
from neo4j.time import Date, DateTime, Duration, Time

from graph.errors import GraphStoreError, QueryRejectedError, QueryTimeoutError
from graph.store import PlanInfo

_CALLED = re.compile(r"^\s*([\w.`]+?)\s*\(")
_POSITION = re.compile(r"\(line (\d+), column (\d+) \(offset: (\d+)\)\)")
_FUNCTION = re.compile(r"(?<![\w.$`])([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+)\s*\(")


def to_json(value: Any) -> Any:
    """A JSON-safe copy of one value from a Neo4j record."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Node):
        return {"id": value.element_id, "labels": sorted(value.labels), "properties": _props(value)}
    if isinstance(value, Relationship):
        start, end = value.start_node, value.end_node
        return {
            "id": value.element_id,
            "type": value.type,
            "start": start.element_id if start is not None else None,
            "end": end.element_id if end is not None else None,
            "properties": _props(value),
        }
    if isinstance(value, Path):
        return {"nodes": [to_json(n) for n in value.nodes], "relationships": [to_json(r) for r in value.relationships]}
    if isinstance(value, Date | DateTime | Time):
        return value.iso_format()
    if isinstance(value, Duration):
        return value.iso_format()
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Point):
        point = {"srid": value.srid, "x": value[0], "y": value[1]}
        return point | ({"z": value[2]} if len(value) > 2 else {})
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return str(value)


def _props(entity: Node | Relationship) -> dict[str, Any]:
    return {k: to_json(v) for k, v in entity.items()}


def plan_info(query_type: str, plan: Mapping[str, Any] | None) -> PlanInfo:
    """Operators, procedures and namespaced functions found anywhere in an EXPLAIN plan tree."""
    operators: set[str] = set()
    procedures: set[str] = set()
    functions: set[str] = set()
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        operator = str(node.get("operatorType", "")).split("@", 1)[0]
        operators.add(operator)
        details = str((node.get("args") or {}).get("Details", ""))
        if operator.startswith("ProcedureCall"):
            called = _CALLED.match(details)
            procedures.add(called[1].replace("`", "") if called else details)
        else:
            functions.update(re.sub(r"\s+", "", name) for name in _FUNCTION.findall(details))
        stack.extend(node.get("children") or [])
    return PlanInfo(query_type, frozenset(operators), frozenset(procedures), frozenset(functions))


_REJECTED_CODES = {
    "Neo.ClientError.Statement.SyntaxError": "syntax",
    "Neo.ClientError.Statement.AccessMode": "write",
    "Neo.ClientError.Procedure.ProcedureNotFound": "procedure",
    "Neo.ClientError.Statement.ParameterMissing": "params",
    "Neo.ClientError.Statement.ExternalResourceFailed": "load_csv",
}


def query_error(error: Neo4jError, shift: int = 0) -> GraphStoreError:
    """The graph error for a failed analyst query; positions are moved back by ``shift`` characters
    (the ``EXPLAIN`` prefix) so they point into the analyst's own text."""
    code = error.code or ""
    message = _first_line(error.message or str(error), shift)
    if code.startswith(("Neo.ClientError.Transaction.TransactionTimedOut", "Neo.ClientError.Transaction.Terminated")):
        return QueryTimeoutError(f"the query was stopped by the server after its time limit ({code}): {message}")
    if "MemoryLimit" in code or "OutOfMemory" in code:
        return QueryRejectedError(
            f"the query needs more memory than the server allows one transaction: {message}; "
            "aggregate, add LIMIT or narrow the MATCH",
            "memory",
        )
    if code in _REJECTED_CODES:
        return QueryRejectedError(f"Neo4j refused the query: {message}", _REJECTED_CODES[code])
    if code.startswith("Neo.ClientError."):
        return QueryRejectedError(f"Neo4j could not run the query ({code.rsplit('.', 1)[-1]}): {message}", "invalid")
    return GraphStoreError(f"Neo4j error {code}: {message}")


def _first_line(message: str, shift: int) -> str:
    line = message.strip().splitlines()[0] if message.strip() else message

    def moved(m: re.Match[str]) -> str:
        row, column, offset = int(m[1]), int(m[2]), int(m[3])
        column = column - shift if row == 1 else column
        return f"(line {row}, column {max(column, 1)} (offset: {max(offset - shift, 0)}))"

    return _POSITION.sub(moved, line) if shift else line
