"""The `autoscope extract` command-line contract, exactly as other tools depend on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXE = str(Path(sys.executable).with_name("autoscope"))
CLAIM_KEYS = {
    "model",
    "benchmark",
    "value",
    "unit",
    "metric",
    "setting",
    "self_reported",
    "confidence",
    "needs_review",
    "evidence",
}
UNITS = {"%", "points", "elo", "hours", "minutes", "score", "x", "tasks", "$"}


def run(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([EXE, "extract", *args, "--no-embeddings"], input=stdin, capture_output=True, timeout=300)


def test_plain_text_in_one_object_out(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Intro.\no3 scores 71.7% on SWE-bench Verified.", encoding="utf-8")
    out = subprocess.run([EXE, "extract", str(doc), "--no-embeddings"], capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert set(body) == {"claims", "milestones", "signals"}
    [claim] = body["claims"]
    assert set(claim) == CLAIM_KEYS and claim["unit"] in UNITS
    assert (claim["model"], claim["benchmark"], claim["value"]) == ("o3", "SWE-bench Verified", 71.7)
    text = doc.read_text(encoding="utf-8")
    assert text[claim["evidence"]["start"] : claim["evidence"]["end"]] == claim["evidence"]["sentence"]


def test_empty_and_binary_input_give_an_empty_result() -> None:
    for stdin in (b"", b"   \n", b"\x00\x01\x02binary"):
        out = run(["-"], stdin)
        assert out.returncode == 0
        assert json.loads(out.stdout) == {"claims": [], "milestones": [], "signals": []}


def test_jsonl_streams_in_order_and_reports_bad_lines() -> None:
    lines = [
        json.dumps({"id": "a", "text": "GPT-4o reaches 33.2% on SWE-bench Verified."}),
        "{not json",
        json.dumps({"id": 7, "text": "", "published": "2025-01-01"}),
        json.dumps({"text": "no id"}),
        json.dumps({"id": "c", "text": "o1 scores 48.9% on SWE-bench Verified."}),
    ]
    out = run(["--jsonl", "-"], ("\n".join(lines) + "\n").encode())
    assert out.returncode == 0
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == ["a", 7, "c"]
    assert rows[0]["claims"][0]["value"] == 33.2 and rows[1]["claims"] == []
    assert set(rows[2]) == {"id", "claims", "milestones", "signals"}
    stderr = out.stderr.decode()
    assert "<stdin>:2: skipped: invalid JSON" in stderr and "<stdin>:4: skipped" in stderr
