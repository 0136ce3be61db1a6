"""The read-only guard for analysts' own Cypher (``POST /query`` and ``autoscope query``).

Three layers, each enough on its own to stop a write:

1. **Text checks**, before anything is sent. The text is read the way Neo4j reads it (string
   literals, backtick identifiers, ``//`` and ``/* */`` comments) and checked twice: as written,
   and after dropping invisible format characters (zero-width spaces ...) and NFKC-normalising
   look-alikes (fullwidth ``ＣＲＥＡＴＥ``). Keywords match case-insensitively and only outside
   strings, comments and quoted names. Refused: empty or over-long text, over-large parameters,
   more than one statement, ``EXPLAIN``/``PROFILE``/``CYPHER`` prefixes, ``USE``, write clauses,
   ``LOAD CSV``, ``CALL { ... } IN TRANSACTIONS``, administration commands (``SHOW``, ``GRANT``,
   ``CREATE DATABASE`` ...), procedures outside :data:`ALLOWED_PROCEDURES` (APOC named as such)
   and namespaced functions outside Neo4j's built-in namespaces.
2. **The plan**: ``EXPLAIN`` in a read-access session must report query type ``r``, and the plan
   must hold no write, ``LOAD CSV``, subquery-in-transactions or command operator, and no
   procedure or function outside the same allow-lists.
3. **Execution** in a read-access session (the server refuses any write) with a server-side
   timeout (``AUTOSCOPE_QUERY_TIMEOUT``), a row cap (``AUTOSCOPE_QUERY_MAX_ROWS``: more rows are
   refused with "add LIMIT", never silently cut) and a size cap (``AUTOSCOPE_QUERY_MAX_BYTES``).

Every refusal is a :class:`~graph.errors.QueryRejectedError` whose ``reason`` is a short code
and whose message names what was refused. ``SHOW INDEXES`` and the other ``SHOW`` commands are
refused with the rest of the commands (some reveal settings or other users' queries); the
schema is available through ``db.schema.visualization()`` and the ``db.*`` listings allowed here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graph.errors import QueryRejectedError, QueryTimeoutError, UnsupportedError
from graph.settings import Settings
from graph.store import CypherRunner, GraphStore, PlanInfo

ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
    }
)
"""Schema introspection only. (Neo4j 5 has no ``db.indexes``; ``SHOW INDEXES`` is a command, refused.)"""

BUILTIN_FUNCTION_NAMESPACES = frozenset(
    {"date", "datetime", "localdatetime", "localtime", "time", "duration", "point", "vector", "graph"}
)
"""Namespaces of Neo4j 5's built-in functions (``date.truncate``, ``point.distance`` ...)."""

PARAMS_LENGTH_FACTOR = 10
"""The parameters' JSON may be at most this many times ``AUTOSCOPE_QUERY_MAX_LENGTH`` characters."""

WRITE_WORDS = frozenset({"CREATE", "MERGE", "SET", "DELETE", "REMOVE", "DETACH", "FOREACH", "INSERT"})
ADMIN_WORDS = frozenset(
    {"SHOW", "GRANT", "DENY", "REVOKE", "DROP", "ALTER", "TERMINATE", "DEALLOCATE", "REALLOCATE", "RENAME", "ENABLE"}
)
ADMIN_AFTER_CREATE = frozenset(
    {"DATABASE", "COMPOSITE", "ALIAS", "USER", "ROLE", "INDEX", "CONSTRAINT", "OR", "LOOKUP", "RANGE", "TEXT",
     "POINT", "FULLTEXT", "VECTOR", "BTREE", "SERVER"}
)  # fmt: skip
WRITE_OPERATOR_PREFIXES = (
    "Create", "Merge", "Set", "Remove", "Delete", "DetachDelete", "Foreach", "SubqueryForeach", "Transaction",
    "Locking", "Assert",
)  # fmt: skip
ADMIN_OPERATOR_PREFIXES = (
    "Show", "Terminate", "DoNothingIfExists", "Drop", "Alter", "Grant", "Deny", "Revoke", "Start", "Stop", "Enable",
    "Ensure", "Deallocate", "Reallocate", "Rename",
)  # fmt: skip
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"\d[\w.]*")
_LINE_BREAKS = "\n\r\u2028\u2029\u0085\x0b\x0c"


@dataclass(frozen=True)
class QueryResult:
    """An analyst query's answer: column names and one JSON object per row."""

    columns: list[str]
    data: list[dict[str, object]]

    @property
    def rows(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word | quoted | string | number | punct
    text: str


def refuse(message: str, reason: str) -> QueryRejectedError:
    return QueryRejectedError(f"refused: {message}", reason)


# -- lexing --------------------------------------------------------------------------------------
def tokenize(text: str) -> list[Token]:
    """Cypher tokens with comments dropped; strings and backtick names kept apart from keywords."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("//", i):
            ends = [j for j in (text.find(c, i) for c in _LINE_BREAKS) if j >= 0]
            i = min(ends) + 1 if ends else n
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise refuse("unterminated /* comment", "syntax")
            i = end + 2
        elif ch in "'\"":
            end = _string_end(text, i)
            out.append(Token("string", text[i:end]))
            i = end
        elif ch == "`":
            end = i + 1
            while True:
                end = text.find("`", end)
                if end < 0:
                    raise refuse("unterminated `quoted name`", "syntax")
                if not text.startswith("``", end):
                    break
                end += 2
            out.append(Token("quoted", text[i + 1 : end].replace("``", "`")))
            i = end + 1
        elif (m := _WORD.match(text, i)) is not None:
            out.append(Token("word", m[0]))
            i = m.end()
        elif (m := _NUMBER.match(text, i)) is not None:
            out.append(Token("number", m[0]))
            i = m.end()
        else:
            out.append(Token("punct", ch))
            i += 1
    return out


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    raise refuse("unterminated string literal", "syntax")


def normalised(text: str) -> str:
    """Invisible format characters (zero-width space, joiners, BOM ...) dropped, then NFKC."""
    return unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) != "Cf"))


# -- text checks ---------------------------------------------------------------------------------
def check_text(text: str, max_length: int) -> None:
    """Refuse what the text alone shows to be unsafe (see the module doc); raise QueryRejectedError."""
    if not text or not text.strip():
        raise refuse("the query is empty", "empty")
    if len(text) > max_length:
        raise refuse(
            f"the query is {len(text)} characters long, more than {max_length} (AUTOSCOPE_QUERY_MAX_LENGTH)",
            "too_long",
        )
    as_written = tokenize(text)
    _check_tokens(as_written)
    plain = normalised(text)
    if plain != text:
        try:
            _check_tokens(tokenize(plain))
        except QueryRejectedError as e:
            hint = " (found after normalising look-alike or invisible Unicode characters)"
            raise QueryRejectedError(str(e) + hint, e.reason) from None


def _keyword(tokens: list[Token], i: int) -> str | None:
    """The keyword at ``i``: an unquoted word that is not a property, parameter, label or map key."""
    tok = tokens[i]
    if tok.kind != "word":
        return None
    if i > 0 and _is(tokens[i - 1], ".", "$", ":"):
        return None
    if i + 1 < len(tokens) and _is(tokens[i + 1], ":"):
        return None
    return tok.text.upper()


def _is(tok: Token, *punctuation: str) -> bool:
    return tok.kind == "punct" and tok.text in punctuation


def _qualified(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """A dotted name starting at ``i`` (words or `quoted` parts) and the index after it."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].kind in ("word", "quoted"):
        parts.append(tokens[i].text)
        if i + 2 < len(tokens) and _is(tokens[i + 1], ".") and tokens[i + 2].kind in ("word", "quoted"):
            i += 2
            continue
        i += 1
        break
    return parts, i


def _check_tokens(tokens: list[Token]) -> None:
    if not tokens:
        raise refuse("the query has nothing but comments", "empty")
    for i, tok in enumerate(tokens):
        if _is(tok, ";") and i < len(tokens) - 1:
            raise refuse(
                "more than one statement (a ';' followed by more Cypher); send one query", "multiple_statements"
            )
    first = _keyword(tokens, 0)
    if first in ("EXPLAIN", "PROFILE"):
        raise refuse(f"{first}: send the query itself; it is explained and checked before it runs", "explain")
    if first == "CYPHER":
        raise refuse("CYPHER query options (runtime, planner ...) are not allowed", "options")
    for i in range(len(tokens)):
        word = _keyword(tokens, i)
        nxt = _keyword(tokens, i + 1) if i + 1 < len(tokens) else None
        if word is None:
            continue
        if word == "LOAD" and nxt == "CSV":
            raise refuse("LOAD CSV reads files and URLs; analyst queries read only the graph", "load_csv")
        if word == "TRANSACTIONS":
            raise refuse("CALL { ... } IN TRANSACTIONS runs batched writes; analyst queries are read-only", "write")
        if word == "USE" and (i == 0 or _is(tokens[i - 1], "{", ";") or _keyword(tokens, i - 1) in ("UNION", "ALL")):
            raise refuse("USE: analyst queries run on the configured database only", "use")
        if word in ADMIN_WORDS or (word in ("START", "STOP") and nxt in ("DATABASE", "SERVER")):
            raise refuse(f"{word} is an administration command", "admin")
        if word == "CREATE" and nxt in ADMIN_AFTER_CREATE:
            raise refuse(f"CREATE {nxt} is a schema or administration command", "admin")
        if word in WRITE_WORDS:
            raise refuse(f"{word} writes to the graph; analyst queries are read-only", "write")
    for name, is_call in _callables(tokens):
        if name.split(".", 1)[0].lower() == "apoc":
            raise refuse(f"{name}: APOC procedures and functions are not available to analyst queries", "apoc")
        if is_call and name not in ALLOWED_PROCEDURES:
            raise refuse(_procedure_message(name), "procedure")
        if not is_call and name.split(".", 1)[0].lower() not in BUILTIN_FUNCTION_NAMESPACES:
            raise refuse(f"function {name} is not one of Neo4j's built-in functions", "function")


def _callables(tokens: list[Token]) -> Iterator[tuple[str, bool]]:
    """(name, is_procedure) for every ``CALL name`` and every namespaced ``name.part(`` call."""
    i = 0
    while i < len(tokens):
        if _keyword(tokens, i) == "CALL" and i + 1 < len(tokens) and tokens[i + 1].kind in ("word", "quoted"):
            parts, i = _qualified(tokens, i + 1)
            yield ".".join(parts), True
            continue
        if tokens[i].kind in ("word", "quoted") and (i == 0 or not _is(tokens[i - 1], ".", "$")):
            parts, end = _qualified(tokens, i)
            if len(parts) > 1 and end < len(tokens) and _is(tokens[end], "("):
                yield ".".join(parts), False
            i = max(end, i + 1)
            continue
        i += 1


def _procedure_message(name: str) -> str:
    allowed = ", ".join(sorted(ALLOWED_PROCEDURES))
    return f"procedure {name} is not allowed (analyst queries may call only {allowed})"


def check_params(params: Mapping[str, Any] | None, max_length: int) -> dict[str, object]:
    """Parameters as a plain dict: identifier names, JSON values, bounded size."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise refuse("params must be an object of name: value", "params")
    for name in params:
        if not isinstance(name, str) or not _PARAM_NAME.fullmatch(name):
            raise refuse(f"parameter name {name!r} is not an identifier (letters, digits, _)", "params")
    try:
        size = len(json.dumps(params, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise refuse(f"parameters must be JSON values: {e}", "params") from None
    limit = PARAMS_LENGTH_FACTOR * max_length
    if size > limit:
        raise refuse(f"the parameters are {size} characters of JSON, more than {limit}", "params_too_long")
    return dict(params)


# -- plan checks ---------------------------------------------------------------------------------
def check_plan(plan: PlanInfo) -> None:
    """Refuse unless Neo4j plans a pure read with allowed procedures and functions only."""
    for name in sorted(plan.procedures):
        if name.split(".", 1)[0].lower() == "apoc":
            raise refuse(f"{name}: APOC procedures are not available to analyst queries", "apoc")
        if name not in ALLOWED_PROCEDURES:
            raise refuse(_procedure_message(name), "procedure")
    for name in sorted(plan.functions):
        if name.split(".", 1)[0].lower() not in BUILTIN_FUNCTION_NAMESPACES:
            raise refuse(f"function {name} is not one of Neo4j's built-in functions", "function")
    ops = sorted(plan.operators)
    if any(op.startswith("LoadCSV") for op in ops):
        raise refuse("the query plan reads a file or URL (LoadCSV)", "load_csv")
    if commands := [op for op in ops if op.startswith(ADMIN_OPERATOR_PREFIXES)]:
        raise refuse(f"the query plan runs a command ({', '.join(commands)})", "admin")
    if writes := [op for op in ops if op.startswith(WRITE_OPERATOR_PREFIXES)]:
        raise refuse(f"the query plan writes ({', '.join(writes)}); analyst queries must be read-only", "write")
    if plan.query_type != "r":
        kinds = {"w": "a write", "rw": "a read-write", "s": "a schema or system"}
        kind = kinds.get(plan.query_type, f"a {plan.query_type!r}")
        reason = "admin" if plan.query_type == "s" else "write"
        raise refuse(f"Neo4j plans this as {kind} query; analyst queries must be read-only", reason)


# -- the whole guard -----------------------------------------------------------------------------
def cypher_runner(store: GraphStore) -> CypherRunner:
    """The store as a :class:`CypherRunner`, or UnsupportedError naming the setting that enables one."""
    if not isinstance(store, CypherRunner):
        raise UnsupportedError(
            f"analyst Cypher needs the Neo4j backend and this store is {store.backend!r}: set "
            "AUTOSCOPE_GRAPH_BACKEND=neo4j (the named queries work on both backends)"
        )
    return store


def guarded_query(store: GraphStore, text: str, params: Mapping[str, Any] | None, settings: Settings) -> QueryResult:
    """Check, explain, check the plan, then run read-only with the timeout and caps."""
    runner = cypher_runner(store)
    values = check_params(params, settings.query_max_length)
    check_text(text, settings.query_max_length)
    check_plan(runner.explain(text, values))
    try:
        result = runner.run_read(
            text, values, settings.query_timeout, settings.query_max_rows, settings.query_max_bytes
        )
    except QueryTimeoutError as e:
        raise QueryTimeoutError(
            f"the query ran longer than {settings.query_timeout:g} s (AUTOSCOPE_QUERY_TIMEOUT) and was stopped; "
            "anchor the MATCH on an id, add LIMIT or aggregate less"
        ) from e
    if result.more_rows:
        n = settings.query_max_rows
        raise refuse(
            f"the query returns more than {n} rows (AUTOSCOPE_QUERY_MAX_ROWS); add LIMIT {n} or aggregate",
            "too_many_rows",
        )
    if result.too_large:
        raise refuse(
            f"the answer is larger than {settings.query_max_bytes} bytes (AUTOSCOPE_QUERY_MAX_BYTES); return "
            "fewer rows or only the properties you need instead of whole nodes",
            "too_large",
        )
    return QueryResult(result.columns, result.rows)
