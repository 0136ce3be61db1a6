"""compose.yaml and the Dockerfile agree with the settings fields and the CLI they drive."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import typer
import yaml
from typer.testing import CliRunner

from api.cli import app
from graph.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("api", "worker")
SETTINGS_VARS = {ENV_PREFIX + name.upper() for name in Settings.model_fields}


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (ROOT / "compose.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(compose_text)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = compose["services"]
    return result


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#")))
    return [(p[0].upper(), p[1] if len(p) > 1 else "") for ln in text.splitlines() if (p := ln.strip().split(None, 1))]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _dockerfile()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def _exec_form(args: str) -> list[str]:
    args = args.strip()
    return list(json.loads(args)) if args.startswith("[") else shlex.split(args)


def _dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for op, args in _final_stage():
        if op == "ENV":
            parts = shlex.split(args)
            if "=" in parts[0]:
                env.update(part.partition("=")[::2] for part in parts)
            else:  # legacy "ENV KEY value"
                env[parts[0]] = " ".join(parts[1:])
    return env


def test_services_exist(services: dict[str, Any]) -> None:
    assert {"neo4j", "api", "worker"} <= set(services)


def test_neo4j_image_and_healthcheck(services: dict[str, Any]) -> None:
    neo4j = services["neo4j"]
    assert str(neo4j["image"]).startswith("neo4j:5.26")
    check = neo4j.get("healthcheck") or {}
    assert check.get("test") and not check.get("disable")
    assert {"interval", "retries", "start_period"} <= set(check)


def test_neo4j_auth_and_ports(services: dict[str, Any]) -> None:
    neo4j = services["neo4j"]
    assert _env(neo4j)["NEO4J_AUTH"].startswith("neo4j/${AUTOSCOPE_NEO4J_PASSWORD")
    assert "NEO4J_db_transaction_timeout" in _env(neo4j)
    assert {str(p) for p in neo4j["ports"]} == {"127.0.0.1:7474:7474", "127.0.0.1:7687:7687"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_neo4j(services: dict[str, Any], name: str) -> None:
    assert services[name]["depends_on"]["neo4j"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_env_vars_are_settings_fields(services: dict[str, Any], name: str) -> None:
    env = _env(services[name])
    names = {k for k in env if k.startswith(ENV_PREFIX)}
    assert names, f"{name} sets no {ENV_PREFIX}* variables"
    assert names <= SETTINGS_VARS, f"unknown settings in {name}: {sorted(names - SETTINGS_VARS)}"
    assert env["AUTOSCOPE_GRAPH_BACKEND"] == "neo4j"
    assert "AUTOSCOPE_NEO4J_PASSWORD" in env


def test_interpolated_autoscope_vars_are_settings_fields(compose_text: str) -> None:
    referenced = set(re.findall(r"\$\{(" + ENV_PREFIX + r"[A-Z0-9_]+)", compose_text))
    assert "AUTOSCOPE_NEO4J_PASSWORD" in referenced
    assert referenced <= SETTINGS_VARS, f"unknown settings interpolated: {sorted(referenced - SETTINGS_VARS)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_bolt_uri_points_at_neo4j_service(services: dict[str, Any], name: str) -> None:
    uri = urlparse(_env(services[name])["AUTOSCOPE_NEO4J_URI"])
    assert uri.scheme in {"bolt", "neo4j"}
    assert uri.hostname in services and services[uri.hostname]["image"].startswith("neo4j:")
    assert uri.port == 7687


def test_api_port_matches_env_and_expose(services: dict[str, Any]) -> None:
    api = services["api"]
    port = int(_env(api)["AUTOSCOPE_API_PORT"])
    published = [str(p).rsplit(":", 1)[-1].split("/")[0] for p in api["ports"]]
    assert published == [str(port)]
    exposed = {a.split("/")[0] for op, args in _final_stage() if op == "EXPOSE" for a in args.split()}
    assert str(port) in exposed


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_command_is_a_real_cli_command(services: dict[str, Any], name: str) -> None:
    command = services[name]["command"]
    assert isinstance(command, list) and command[0] == "autoscope"
    args = command[1:]
    cmd = typer.main.get_command(app)  # a click-style command tree (Typer may vendor click)
    rest = list(args)
    while hasattr(cmd, "commands") and rest and not rest[0].startswith("-"):
        sub = cmd.commands.get(rest[0])
        assert sub is not None, f"{name}: no command {rest[0]!r}"
        cmd, rest = sub, rest[1:]
    assert not hasattr(cmd, "commands"), f"{name}: {args} names a group, not a command"
    opts = {opt for param in cmd.params for opt in param.opts}
    for token in rest:
        if token.startswith("-"):
            assert token.split("=", 1)[0] in opts, f"{name}: {token} is not an option of {cmd.name}"
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_share_data_volume(compose: dict[str, Any], services: dict[str, Any], name: str) -> None:
    data_dir = _env(services[name])["AUTOSCOPE_DATA_DIR"]
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in services[name]["volumes"]}
    assert mounts.get(data_dir) in compose["volumes"]


def test_dockerfile_base_is_python_311_or_newer() -> None:
    instructions = _dockerfile()
    froms = [args.split() for op, args in instructions if op == "FROM"]
    stages = {f[2].lower(): f[0] for f in froms if len(f) >= 3 and f[1].upper() == "AS"}
    base = froms[-1][0]
    while base.lower() in stages:
        base = stages[base.lower()]
    match = re.fullmatch(r"(?:docker\.io/(?:library/)?)?python:3\.(\d+)(?:[.\-][\w.\-]*)?", base)
    assert match, f"final stage is not based on a python:3.x image: {base}"
    assert int(match.group(1)) >= 11


def test_dockerfile_data_dir_is_a_volume() -> None:
    volumes: set[str] = set()
    for op, args in _final_stage():
        if op == "VOLUME":
            volumes.update(_exec_form(args))
    assert _dockerfile_env()["AUTOSCOPE_DATA_DIR"] in volumes


def test_dockerfile_runs_autoscope_as_non_root() -> None:
    stage = _final_stage()
    run = [a for op, args in stage if op in {"ENTRYPOINT", "CMD"} for a in _exec_form(args)]
    assert run and run[0] == "autoscope"
    users = [args.strip() for op, args in stage if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
