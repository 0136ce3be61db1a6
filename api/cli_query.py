"""Analyst query commands: ``autoscope query`` (read-only Cypher) and ``autoscope queries list|run``.

``query`` goes through the same guard as ``POST /query`` and needs the Neo4j backend; a refused
query exits 2 with the reason, the embedded backend exits 1 naming AUTOSCOPE_GRAPH_BACKEND. The
named queries work on both backends. Tables by default, JSON with ``--json``.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from api.console import EXIT_USAGE, errors, fail, out, store_session
from graph.errors import NotFoundError, ParameterError, QueryRejectedError

queries_app = typer.Typer(help="Named queries (both backends): list them, run one.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A parameter as KEY=VALUE (repeatable)."),
]


def parse_params(items: list[str] | None, json_values: bool) -> dict[str, Any]:
    """``KEY=VALUE`` options as a dict; with ``json_values`` a value that parses as JSON (5, true,
    [1,2], "5") is taken as such, anything else as text."""
    params: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise fail(f"--param {item!r}: expected KEY=VALUE", EXIT_USAGE)
        value: Any = raw
        if json_values:
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw
        params[key.strip()] = value
    return params


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _table(rows: list[dict[str, Any]], columns: list[str] | None = None, title: str | None = None) -> Table:
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    return table


def _emit(body: Any) -> None:
    sys.stdout.write(json.dumps(body, ensure_ascii=False, default=str) + "\n")


def query(
    cypher: Annotated[str, typer.Argument(help="One read-only Cypher statement, or - to read it from stdin.")],
    param: ParamOpt = None,
    as_json: AsJson = False,
) -> None:
    """Run your own read-only Cypher on the Neo4j graph, through the same guard as POST /query."""
    from api.query_guard import guarded_query

    text = sys.stdin.read() if cypher == "-" else cypher
    params = parse_params(param, json_values=True)
    with store_session() as (settings, store), errors():
        try:
            result = guarded_query(store, text, params, settings)
        except QueryRejectedError as e:
            raise fail(f"{e} (reason: {e.reason})", EXIT_USAGE) from None
    if as_json:
        _emit({"columns": result.columns, "data": result.data, "rows": result.rows})
        return
    out.print(_table(result.data, result.columns))
    out.print(f"{result.rows} row{'s' if result.rows != 1 else ''}", highlight=False)


@queries_app.command("list")
def queries_list(as_json: AsJson = False) -> None:
    """The named queries with their parameters (they run on both backends)."""
    from graph.queries import QUERIES

    if as_json:
        _emit([q.as_dict() for q in QUERIES.values()])
        return
    table = Table(title="Named queries (autoscope queries run NAME --param KEY=VALUE)")
    for column in ("name", "parameters (* required)", "description"):
        table.add_column(column, overflow="fold")
    for q in QUERIES.values():
        params = ", ".join(
            f"{p.name}{'*' if p.required else ''}: {p.type}" + (f" = {p.default}" if p.default is not None else "")
            for p in q.params
        )
        table.add_row(q.name, params, q.description)
    out.print(table)


@queries_app.command("run")
def queries_run(
    name: Annotated[str, typer.Argument(help="A named query, e.g. frontier (see `autoscope queries list`).")],
    param: ParamOpt = None,
    as_json: AsJson = False,
) -> None:
    """Run a named query; a wrong parameter exits 2 naming it."""
    from graph.queries import get_query

    try:
        named = get_query(name)
    except NotFoundError as e:
        raise fail(str(e), EXIT_USAGE) from None
    params = parse_params(param, json_values=False)
    with store_session() as (_, store), errors():
        try:
            rows = named.execute(store, params)
        except ParameterError as e:
            raise fail(str(e), EXIT_USAGE) from None
    if as_json:
        _emit({"data": rows, "next_cursor": None})
        return
    out.print(_table(rows, title=f"{name} ({len(rows)} rows)"))


def register(app: typer.Typer) -> None:
    """Add ``query`` and the ``queries`` group to the root CLI."""
    app.command("query")(query)
    app.add_typer(queries_app, name="queries")
