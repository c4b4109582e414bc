"""`cuishou classify` per CONTRACT §1 on real files, including the bad inputs a user will feed it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from service.cli import app

RUNNER = CliRunner()


def _run(tmp_path: Path, payload: bytes, *extra: str):
    src = tmp_path / "in.jsonl"
    src.write_bytes(payload)
    out = tmp_path / "out.jsonl"
    result = RUNNER.invoke(app, ["classify", str(src), "-o", str(out), "--rules-only", *extra])
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return result, lines


def test_contract_shape_and_order(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": "再不还钱就打断你的腿", "channel": "sms"},
            {"id": "b", "text": "【某银行】您的账单已逾期，请尽快还款。", "channel": "sms"},
            {"id": "c", "text": "您好，今天第二次联系您"}]
    payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    result, lines = _run(tmp_path, payload)
    assert result.exit_code == 0, result.output
    assert [x["id"] for x in lines] == ["a", "b", "c"]
    assert lines[0]["labels"] == ["threat_violence"]
    f = lines[0]["findings"][0]
    assert rows[0]["text"][f["start"]:f["end"]] == f["quote"] == "打断你的腿"
    assert f["source"] == "rule" and f["legal_basis"] and 0 <= f["confidence"] <= 1
    assert lines[1]["labels"] == ["compliant"] and lines[1]["findings"] == []
    assert isinstance(lines[1]["scores"], dict)


def test_bad_lines_get_errors_and_run_goes_on(tmp_path: Path) -> None:
    payload = b'{"id": 1, "text": "\xe4\xbd\xa0\xe5\xa5\xbd"}\n{broken\n[1,2]\n{"id": "x"}\n{"id": "y", "text": 5}\n'
    payload += b'{"id": "z", "text": "", "channel": "fax"}\n{"id": "e", "text": ""}\n'
    result, lines = _run(tmp_path, payload)
    assert result.exit_code == 0
    assert lines[0]["labels"] == ["compliant"]
    assert "not valid JSON" in lines[1]["error"]
    assert "expected a JSON object" in lines[2]["error"]
    assert lines[3] == {"id": "x", "error": "line 4: missing field 'text'"}
    assert "'text' must be a string" in lines[4]["error"]
    assert "unknown channel" in lines[5]["error"]
    assert lines[6]["labels"] == ["compliant"]


def test_gb18030_line(tmp_path: Path) -> None:
    payload = '{"id": "g", "text": "信不信我弄死你"}\n'.encode("gb18030")
    _, lines = _run(tmp_path, payload)
    assert lines[0]["labels"] == ["threat_violence"]


def test_undecodable_line(tmp_path: Path) -> None:
    _, lines = _run(tmp_path, b'{"id": "u", "text": "\xff\xfe\xff"}\n')
    assert "neither UTF-8 nor GB18030" in lines[0]["error"]


def test_one_megabyte_line(tmp_path: Path) -> None:
    text = ("请按时还款。" * 170_000) + "再不还就弄死你"
    payload = (json.dumps({"id": "big", "text": text}, ensure_ascii=False) + "\n").encode()
    assert len(payload) > 1_000_000
    _, lines = _run(tmp_path, payload)
    assert lines[0]["labels"] == ["threat_violence"]
    assert lines[0]["findings"][-1]["quote"] == "弄死你"


def test_missing_input_file_exits_nonzero(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["classify", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code != 0
    assert "cannot read input file" in result.output


def test_existing_output_survives_unreadable_input(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    RUNNER.invoke(app, ["classify", str(tmp_path / "nope.jsonl"), "-o", str(out)])
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_every_command_has_help() -> None:
    result = RUNNER.invoke(app, ["--help"])
    assert result.exit_code == 0
    import typer

    commands = sorted(typer.main.get_command(app).commands)
    assert "classify" in commands and "analyze" in commands
    for name in commands:
        sub = RUNNER.invoke(app, [name, "--help"])
        assert sub.exit_code == 0, name


def test_console_script_installed() -> None:
    proc = subprocess.run([sys.executable, "-m", "service.cli", "analyze", "--rules-only", "你等着，弄死你"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "暴力威胁" in proc.stdout
