"""The analysis commands on the bundled sample: JSON shapes, tables, charts and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
OFFLINE = {"AUTOSCOPE_OFFLINE": "true"}


@pytest.fixture
def sample() -> None:
    result = runner.invoke(app, ["up", "--no-serve"], env=OFFLINE)
    assert result.exit_code == 0, result.output
    assert "Derived" in result.output and "milestones" in result.output


def _json(args: list[str]) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_timeline_json_and_filters(sample: None) -> None:
    body = _json(["timeline", "swe-bench-verified", "--source-kind", "self_reported"])
    assert isinstance(body, dict) and body["benchmark"] == "swe-bench-verified"
    assert {"date", "value", "unit", "model", "claim_id", "tied"} == set(body["frontier"][0])
    assert {c["source_kind"] for c in body["claims"]} == {"self_reported"}
    dates = [s["date"] for s in body["frontier"]]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    closed = _json(["timeline", "swe-bench-verified", "--closed-weights", "--to", "2025-06-30"])
    assert isinstance(closed, dict) and all(c["date"] <= "2025-06-30" for c in closed["claims"])


def test_trends_bounded_json(sample: None) -> None:
    body = _json(["trends", "swe-bench-verified", "--threshold", "85", "--since", "2024-01-01"])
    assert isinstance(body, dict) and body["kind"] == "logistic" and body["doubling_time_days"] is None
    assert body["forecast"]["threshold"] == 85 and len(body["forecast"]["interval"]) == 2
    assert body["points"] and all(p["date"] >= "2024-01-01" for p in body["points"])


def test_trends_table_and_plots(sample: None, tmp_path: Path) -> None:
    png, svg = tmp_path / "metr.png", tmp_path / "swe.svg"
    result = runner.invoke(
        app, ["trends", "metr-time-horizon-50", "--setting", "METR-Horizon-v1.1", "--plot", str(png)]
    )
    assert result.exit_code == 0, result.output
    assert "Doubling time" in result.stdout and "Points used" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert runner.invoke(app, ["timeline", "swe-bench-verified", "--plot", str(svg)]).exit_code == 0
    assert b"<svg" in svg.read_bytes()[:500]
    bad = runner.invoke(app, ["timeline", "swe-bench-verified", "--plot", str(tmp_path / "chart.gif")])
    assert bad.exit_code == 2 and ".png or .svg" in bad.stderr


def test_reports_json(sample: None) -> None:
    saturation = _json(["saturation"])
    assert isinstance(saturation, list) and saturation
    assert {"benchmark", "headroom", "status", "saturation_forecast"} <= set(saturation[0])
    conflicts = _json(["conflicts"])
    assert isinstance(conflicts, dict) and {"conflicts", "gaps"} == set(conflicts)
    assert all(len({x["document"] for x in c["claims"]}) >= 2 for c in conflicts["conflicts"])
    assert {"organization", "pairs", "mean_gap_points"} <= set(conflicts["gaps"][0])
    index = _json(["index"])
    assert isinstance(index, dict) and 0 < index["index"] <= 100 and index["components"]
    early = _json(["index", "--at", "2025-06-30"])
    assert isinstance(early, dict) and early["index"] < index["index"]
    milestones = _json(["milestones", "--kind", "horizon_crossed"])
    assert isinstance(milestones, list) and {m["threshold"] for m in milestones} >= {60.0, 240.0}
    signals = _json(["signals", "--since", "2025-01-01"])
    assert isinstance(signals, list) and all(s["date"] >= "2025-01-01" for s in signals)
    network = _json(["network", "--top", "3"])
    assert isinstance(network, dict) and len(network["central"]["Model"]) == 3


def test_tables_render(sample: None) -> None:
    for args in (["saturation"], ["conflicts"], ["index"], ["milestones"], ["signals"], ["network"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.strip()


def test_errors_are_one_line(sample: None) -> None:
    bad_date = runner.invoke(app, ["trends", "swe-bench-verified", "--since", "2025-13-01"])
    assert bad_date.exit_code == 2 and "--since '2025-13-01' is not a date" in bad_date.stderr
    unknown = runner.invoke(app, ["trends", "no-such-benchmark"])
    assert unknown.exit_code == 1 and "no benchmark with id 'no-such-benchmark'" in unknown.stderr
    basis = runner.invoke(app, ["trends", "swe-bench-verified", "--date-basis", "published"])
    assert basis.exit_code == 2 and "--date-basis" in basis.stderr


def test_the_analytics_file_setting_reaches_every_analysis(sample: None, tmp_path: Path) -> None:
    custom = tmp_path / "analytics.yaml"
    bundled = (Path(__file__).resolve().parents[2] / "graph" / "analytics" / "analytics.yaml").read_text()
    custom.write_text(bundled.replace("      threshold: 2400              # a 40-hour", "      threshold: 480  # a 40-hour"))
    result = runner.invoke(
        app, ["trends", "metr-time-horizon-50", "--json"], env={"AUTOSCOPE_ANALYTICS_FILE": str(custom)}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["forecast"]["threshold"] == 480
    default = _json(["trends", "metr-time-horizon-50"])
    assert isinstance(default, dict) and default["forecast"]["threshold"] == 2400
