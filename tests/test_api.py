"""The HTTP API (CONTRACT §4) through FastAPI's test client: every endpoint, its errors, access control,
upload limits, encodings, evidence hashes and transactions."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import sqlite3
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CONTACTS_DIR = ROOT / "datasets" / "authored" / "contacts"
THREAT = "再不还钱就打断你的腿"
TRANSCRIPT = "催收员：你好，这里是某某金融贷后部门。\n客户：我这个月实在没钱。\n催收员：你等着，弄死你\n"
CONTRACT_CASE = {
    "platform": "某某借款App",
    "messages": [{"text": THREAT, "channel": "sms", "time": "2026-05-03T22:41:00+08:00", "from": "13812345678"}],
    "contacts": [{"time": "2026-05-03T23:15:42+08:00", "channel": "call", "direction": "inbound",
                  "from": "13812345678", "duration_s": 64}],
}


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": tmp_path / "data", "max_upload_bytes": 64 * 1024,
                                 "max_text_chars": 5_000, "use_model": False}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture()
def client(settings: Settings) -> TestClient:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture()
def case(client: TestClient) -> dict:
    r = client.post("/v1/cases", json={**CONTRACT_CASE, "lender_type": "consumer_finance", "region": "广东省深圳市",
                                       "borrower": {"name": "李四"}})
    assert r.status_code == 201, r.text
    body = r.json()
    body["headers"] = {"X-Case-Key": body["key"]}
    return body


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- /v1/analyze


def test_analyze_returns_the_classify_object(client: TestClient) -> None:
    r = client.post("/v1/analyze", json={"text": THREAT, "channel": "sms"})
    assert r.status_code == 200
    body = r.json()
    assert body["labels"] == ["threat_violence"]
    assert isinstance(body["scores"], dict)
    f = body["findings"][0]
    assert THREAT[f["start"]:f["end"]] == f["quote"] == "打断你的腿"
    assert f["source"] in ("rule", "model", "rule+model") and 0 <= f["confidence"] <= 1 and f["legal_basis"]


def test_analyze_with_the_default_settings_keeps_the_contract(tmp_path: Path) -> None:
    """With the classifier allowed (if an artifact is installed), only the shape is checked, not model scores."""
    with TestClient(create_app(make_settings(tmp_path, use_model=True))) as c:
        body = c.post("/v1/analyze", json={"text": THREAT, "channel": "sms"}).json()
    assert "threat_violence" in body["labels"]
    assert all(0.0 <= v <= 1.0 for v in body["scores"].values())
    for f in body["findings"]:
        assert THREAT[f["start"]:f["end"]] == f["quote"]


def test_analyze_compliant_and_extra_fields(client: TestClient) -> None:
    r = client.post("/v1/analyze", json={"id": "x1", "text": "【某银行】您的账单已逾期，请尽快还款。", "channel": ""})
    assert r.status_code == 200
    assert r.json()["labels"] == ["compliant"] and r.json()["findings"] == []


def test_analyze_verbose_adds_explanations(client: TestClient) -> None:
    r = client.post("/v1/analyze?verbose=true", json={"text": THREAT})
    assert r.json()["findings"][0]["explanation"]


@pytest.mark.parametrize("payload", [
    {}, {"text": 5}, {"text": None}, {"text": THREAT, "channel": "fax"}, [THREAT], "text",
])
def test_analyze_bad_bodies_are_422(client: TestClient, payload: object) -> None:
    assert client.post("/v1/analyze", json=payload).status_code == 422


def test_analyze_malformed_json_is_422(client: TestClient) -> None:
    r = client.post("/v1/analyze", content=b"{broken", headers={"Content-Type": "application/json"})
    assert r.status_code == 422


def test_analyze_too_long_text_is_413(client: TestClient) -> None:
    r = client.post("/v1/analyze", json={"text": "请还款" * 2_000})
    assert r.status_code == 413
    assert "CUISHOU_MAX_TEXT_CHARS" in r.json()["detail"]


def test_oversized_body_is_413_and_limit_is_configurable(tmp_path: Path) -> None:
    body = json.dumps({"text": "a" * 3_000}).encode()
    with TestClient(create_app(make_settings(tmp_path, max_upload_bytes=2_048))) as small:
        r = small.post("/v1/analyze", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 413
    with TestClient(create_app(make_settings(tmp_path, max_upload_bytes=8_192))) as large:
        r = large.post("/v1/analyze", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 200


def test_chunked_oversized_body_is_413(tmp_path: Path) -> None:
    def chunks():
        for _ in range(10):
            yield b"x" * 1024

    with TestClient(create_app(make_settings(tmp_path, max_upload_bytes=4_096))) as c:
        r = c.post("/v1/analyze", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413


# ---------------------------------------------------------------- meta, docs, web page


def test_health_docs_and_openapi_examples(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/analyze", "/v1/transcripts", "/v1/cases", "/v1/cases/{case_id}/report",
                 "/v1/cases/{case_id}/complaint", "/v1/cases/{case_id}/police-report"):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    assert schemas["AnalyzeRequest"]["examples"][0]["text"] == THREAT
    assert schemas["CaseCreate"]["examples"][0]["messages"]


def test_web_page_and_assets_are_local(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "催收合规卫士" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        r = client.get(asset)
        assert r.status_code == 200
        assert "https://" not in r.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_legal_catalog_endpoint(client: TestClient) -> None:
    body = client.get("/v1/legal").json()
    assert body["labels"]["threat_violence"] == "暴力威胁/恐吓"
    assert "刑法" in body["legal"]["cl_293"]["citation"]


# ---------------------------------------------------------------- /v1/transcripts


def test_transcript_utf8(client: TestClient) -> None:
    r = client.post("/v1/transcripts", files={"file": ("call.txt", TRANSCRIPT.encode(), "text/plain")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["labels"] == ["threat_violence"]
    roles = [t["role"] for t in body["turns"]]
    assert roles[0] == "collector" and roles[1] == "debtor"
    assert [t["index"] for t in body["turns"]] == list(range(len(body["turns"])))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_transcript_gbk_upload(client: TestClient, encoding: str) -> None:
    r = client.post("/v1/transcripts", files={"file": ("call.txt", TRANSCRIPT.encode(encoding), "text/plain")},
                    data={"format": "txt"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["labels"] == ["threat_violence"]
    assert "弄死你" in body["turns"][2]["text"]


def test_transcript_srt(client: TestClient) -> None:
    srt = "1\n00:00:01,000 --> 00:00:03,000\n催收员：你等着，弄死你\n\n2\n00:00:04,000 --> 00:00:05,000\n客户：我没钱\n"
    r = client.post("/v1/transcripts", files={"file": ("call.srt", srt.encode(), "application/x-subrip")})
    assert r.status_code == 200
    assert r.json()["turns"][0]["start"] == 1.0


@pytest.mark.parametrize("data", [b"\x00\x01\x02\xff" * 10, b"   \n"])
def test_transcript_unreadable_is_422(client: TestClient, data: bytes) -> None:
    r = client.post("/v1/transcripts", files={"file": ("x.txt", data, "text/plain")})
    assert r.status_code == 422
    assert r.json()["detail"]


def test_transcript_missing_file_or_bad_format_is_422(client: TestClient) -> None:
    assert client.post("/v1/transcripts", data={"format": "auto"}).status_code == 422
    r = client.post("/v1/transcripts", files={"file": ("c.txt", TRANSCRIPT.encode(), "text/plain")},
                    data={"format": "docx"})
    assert r.status_code == 422


def test_transcript_oversized_is_413(client: TestClient, settings: Settings) -> None:
    big = ("催收员：请尽快还款。\n" * 10_000).encode()
    assert len(big) > settings.max_upload_bytes
    r = client.post("/v1/transcripts", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 413


# ---------------------------------------------------------------- cases: creation and access


def test_create_case_contract_shape(client: TestClient) -> None:
    r = client.post("/v1/cases", json=CONTRACT_CASE)
    assert r.status_code == 201
    body = r.json()
    assert len(body["id"]) >= 20 and len(body["key"]) >= 40
    assert [it["kind"] for it in body["items"]] == ["message", "contacts"]
    assert body["items"][0]["labels"] == ["threat_violence"]
    assert body["items"][1]["labels"] == ["harassment_frequency"]


def test_create_empty_case_and_unknown_fields(client: TestClient) -> None:
    r = client.post("/v1/cases", json={})
    assert r.status_code == 201 and r.json()["items"] == []
    r = client.post("/v1/cases", json={"platform": "X", "something_else": 1})
    assert r.status_code == 201


def test_case_ids_and_keys_are_unique(client: TestClient) -> None:
    made = [client.post("/v1/cases", json={}).json() for _ in range(5)]
    assert len({m["id"] for m in made}) == 5 and len({m["key"] for m in made}) == 5


@pytest.mark.parametrize("payload", [
    {"messages": [{"channel": "sms"}]},
    {"messages": [{"text": ""}]},
    {"messages": [{"text": THREAT, "time": "yesterday"}]},
    {"messages": [{"text": THREAT, "channel": "fax"}]},
    {"messages": "not a list"},
    {"contacts": [{"from": "138"}]},
    {"lender_type": "pawnshop"},
    {"borrower": {"name": "李四", "age": 30}},
])
def test_create_case_bad_bodies_are_422(client: TestClient, payload: dict) -> None:
    assert client.post("/v1/cases", json=payload).status_code == 422


CASE_ENDPOINTS = [
    ("get", "", None), ("get", "/report", None), ("get", "/report?format=md", None),
    ("get", "/report?format=html", None), ("get", "/report?format=pdf", None), ("get", "/complaint", None),
    ("get", "/complaint?format=pdf", None), ("get", "/police-report", None), ("get", "/police-report?format=txt", None),
    ("get", "/evidence", None), ("get", "/evidence/1", None), ("get", "/evidence.zip", None),
    ("post", "/messages", {"json": {"text": "你好"}}),
    ("post", "/contacts", {"json": {"contacts": CONTRACT_CASE["contacts"]}}),
    ("post", "/transcripts", {"files": {"file": ("c.txt", TRANSCRIPT.encode(), "text/plain")}}),
    ("post", "/contacts/file", {"files": {"file": ("c.json", b'{"contacts": []}', "application/json")}}),
    ("post", "/screenshots", {"data": {"text": "你好"}}),
    ("post", "/documents", {"json": {"title": "投诉信", "text": "正文"}}),
    ("patch", "", {"json": {"platform": "Y"}}), ("delete", "", None),
]


@pytest.mark.parametrize(("method", "suffix", "kwargs"), CASE_ENDPOINTS)
def test_case_endpoints_need_the_key(client: TestClient, case: dict, method: str, suffix: str,
                                     kwargs: dict | None) -> None:
    url = f"/v1/cases/{case['id']}{suffix}"
    other = client.post("/v1/cases", json={}).json()
    attempts = {
        "missing": ({}, 401),
        "wrong": ({"X-Case-Key": "x" * 43}, 404),
        "other case's key": ({"X-Case-Key": other["key"]}, 404),
        "empty": ({"X-Case-Key": ""}, 401),
    }
    for name, (headers, expected) in attempts.items():
        r = getattr(client, method)(url, headers=headers, **(kwargs or {}))
        assert r.status_code == expected, (name, r.status_code, r.text)
        assert set(r.json()) == {"detail"}, name
        assert "打断" not in r.text and "13812345678" not in r.text
    r = getattr(client, method)(f"/v1/cases/nonexistent{suffix}", headers=case["headers"], **(kwargs or {}))
    assert r.status_code == 404
    # The case is untouched by the refused requests.
    r = client.get(f"/v1/cases/{case['id']}", headers=case["headers"])
    assert r.status_code == 200 and r.json()["platform"] == "某某借款App" and len(r.json()["items"]) == 2


def test_server_api_key_opens_every_case(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, api_key="deploy-secret-123"))) as c:
        made = c.post("/v1/cases", json=CONTRACT_CASE).json()
        assert c.get(f"/v1/cases/{made['id']}/report", headers={"X-API-Key": "deploy-secret-123"}).status_code == 200
        assert c.get(f"/v1/cases/{made['id']}/report", headers={"X-API-Key": "nope"}).status_code == 401
        assert c.get(f"/v1/cases/{made['id']}", headers={"X-Case-Key": made["key"]}).status_code == 200


def test_api_key_unset_means_api_key_header_is_refused(client: TestClient, case: dict) -> None:
    assert client.get(f"/v1/cases/{case['id']}", headers={"X-API-Key": "anything"}).status_code == 401


def test_only_a_hash_of_the_key_is_stored(client: TestClient, case: dict, settings: Settings) -> None:
    db = settings.data_dir / "cases.db"
    assert db.is_file()
    con = sqlite3.connect(db)
    try:
        (key_hash,) = con.execute("SELECT key_hash FROM cases WHERE id = ?", (case["id"],)).fetchone()
    finally:
        con.close()
    assert key_hash == sha(case["key"].encode()) and key_hash != case["key"]
    raw = b"".join(p.read_bytes() for p in settings.data_dir.iterdir() if p.name.startswith("cases.db"))
    assert case["key"].encode() not in raw


# ---------------------------------------------------------------- cases: evidence


def test_messages_single_and_list_with_hashes(client: TestClient, case: dict) -> None:
    url = f"/v1/cases/{case['id']}/messages"
    r = client.post(url, json={"text": "你这个老赖", "channel": "wechat", "from": "wx_abc"}, headers=case["headers"])
    assert r.status_code == 201
    assert [it["no"] for it in r.json()["items"]] == [3]
    r = client.post(url, json=[{"text": "你好"}, {"text": "你等着，弄死你", "time": "2026-05-04T01:02:03+08:00"}],
                    headers=case["headers"])
    assert [it["no"] for it in r.json()["items"]] == [4, 5]
    for it in client.get(f"/v1/cases/{case['id']}/evidence", headers=case["headers"]).json():
        raw = client.get(f"/v1/cases/{case['id']}/evidence/{it['no']}", headers=case["headers"])
        assert raw.status_code == 200 and sha(raw.content) == it["sha256"] == raw.headers["x-content-sha256"]
        assert it["received_at"]
    assert client.post(url, json=[], headers=case["headers"]).status_code == 422
    assert client.get(f"/v1/cases/{case['id']}/evidence/99", headers=case["headers"]).status_code == 404


def test_transcript_in_case_is_stored_byte_for_byte(client: TestClient, case: dict) -> None:
    data = TRANSCRIPT.encode("gbk")
    r = client.post(f"/v1/cases/{case['id']}/transcripts", headers=case["headers"],
                    files={"file": ("通话.txt", data, "text/plain")},
                    data={"time": "2026-05-05T10:00:00+08:00", "from": "13900001111"})
    assert r.status_code == 201, r.text
    item = r.json()["items"][0]
    assert item["sha256"] == sha(data) and item["size"] == len(data) and item["labels"] == ["threat_violence"]
    assert r.json()["analysis"]["labels"] == ["threat_violence"]
    raw = client.get(f"/v1/cases/{case['id']}/evidence/{item['no']}", headers=case["headers"])
    assert raw.content == data


def test_transcript_in_case_errors(client: TestClient, case: dict) -> None:
    url = f"/v1/cases/{case['id']}/transcripts"
    assert client.post(url, headers=case["headers"], files={"file": ("x", b"\x00\xff" * 8, "text/plain")}
                       ).status_code == 422
    assert client.post(url, headers=case["headers"], files={"file": ("x.txt", TRANSCRIPT.encode(), "text/plain")},
                       data={"time": "not a time"}).status_code == 422
    big = b"a" * (70 * 1024)
    assert client.post(url, headers=case["headers"], files={"file": ("x.txt", big, "text/plain")}).status_code == 413
    assert len(client.get(f"/v1/cases/{case['id']}/evidence", headers=case["headers"]).json()) == 2


def test_contact_log_json_and_csv(client: TestClient, case: dict) -> None:
    log = json.loads((CONTACTS_DIR / "c22_bad_week_mixed.json").read_text(encoding="utf-8"))
    r = client.post(f"/v1/cases/{case['id']}/contacts", json=log, headers=case["headers"])
    assert r.status_code == 201, r.text
    assert r.json()["analysis"]["night_contacts"] == 10
    csv = (CONTACTS_DIR / "x01_calllog_zh.csv").read_bytes()
    r = client.post(f"/v1/cases/{case['id']}/contacts/file", files={"file": ("log.csv", csv, "text/csv")},
                    headers=case["headers"])
    assert r.status_code == 201, r.text
    assert r.json()["items"][0]["sha256"] == sha(csv)
    bad = client.post(f"/v1/cases/{case['id']}/contacts/file", headers=case["headers"],
                      files={"file": ("log.json", b'{"contacts": [{"time": "no"}]}', "application/json")})
    assert bad.status_code == 422
    assert client.post(f"/v1/cases/{case['id']}/contacts", json={"contacts": []}, headers=case["headers"]
                       ).status_code == 422


def test_screenshot_with_and_without_image(client: TestClient, case: dict) -> None:
    url = f"/v1/cases/{case['id']}/screenshots"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    r = client.post(url, headers=case["headers"], data={"text": "三天内不还就去你公司找你领导", "channel": "wechat"},
                    files={"image": ("shot.png", png, "image/png")})
    assert r.status_code == 201, r.text
    assert r.json()["items"][0]["sha256"] == sha(png)
    r = client.post(url, headers=case["headers"], data={"text": "你等着"})
    assert r.json()["items"][0]["sha256"] == sha("你等着".encode())
    assert client.post(url, headers=case["headers"], data={"text": "x"},
                       files={"image": ("a.exe", b"MZ", "application/octet-stream")}).status_code == 422
    assert client.post(url, headers=case["headers"], data={}).status_code == 422


def test_patch_and_delete(client: TestClient, case: dict) -> None:
    url = f"/v1/cases/{case['id']}"
    r = client.patch(url, json={"platform": "新平台", "lender_type": "microloan", "region": None},
                     headers=case["headers"])
    assert r.status_code == 200
    assert r.json()["platform"] == "新平台" and r.json()["facts"]["lender_type"] == "microloan"
    assert "region" not in r.json()["facts"]
    assert client.patch(url, json={"lender_type": "x"}, headers=case["headers"]).status_code == 422
    assert client.delete(url, headers=case["headers"]).status_code == 204
    assert client.get(url, headers=case["headers"]).status_code == 404


def test_case_item_limit(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, max_case_items=2))) as c:
        made = c.post("/v1/cases", json={"messages": [{"text": "a"}, {"text": "b"}]}).json()
        r = c.post(f"/v1/cases/{made['id']}/messages", json={"text": "c"}, headers={"X-Case-Key": made["key"]})
        assert r.status_code == 413
        assert c.post("/v1/cases", json={"messages": [{"text": "a"}] * 3}).status_code == 413


# ---------------------------------------------------------------- documents


def test_report_formats(client: TestClient, case: dict) -> None:
    base = f"/v1/cases/{case['id']}/report"
    r = client.get(base, headers=case["headers"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    report = r.json()
    quotes = [f["quote"] for f in report["findings"]]
    assert "打断你的腿" in quotes
    finding = next(f for f in report["findings"] if f["quote"] == "打断你的腿")
    assert finding["label_zh"] == "暴力威胁/恐吓" and finding["time"] == "2026-05-03 22:41"
    assert finding["channel"] == "短信" and finding["speaker"] == "13812345678"
    assert any("治安管理处罚法" in c["citation"] for c in finding["legal_basis"])
    assert [e["sha256"] for e in report["evidence"]] == [it["sha256"] for it in case["items"]]
    assert report["facts"]["phones"][0]["value"] == "13812345678"
    assert report["contact_stats"][0]["figures"]
    md = client.get(base + "?format=md", headers=case["headers"])
    assert md.headers["content-type"].startswith("text/markdown") and "打断你的腿" in md.text
    assert case["items"][0]["sha256"] in md.text
    html = client.get(base + "?format=html", headers=case["headers"])
    assert html.headers["content-type"].startswith("text/html") and "打断你的腿" in html.text
    pdf = client.get(base + "?format=pdf", headers=case["headers"])
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    assert client.get(base + "?format=docx", headers=case["headers"]).status_code == 422


def test_report_html_escapes_message_text(client: TestClient) -> None:
    made = client.post("/v1/cases", json={"messages": [{"text": "<script>alert(1)</script>你等着，弄死你"}]}).json()
    html = client.get(f"/v1/cases/{made['id']}/report?format=html", headers={"X-Case-Key": made["key"]}).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_complaint_addressed_by_lender_type(client: TestClient, case: dict) -> None:
    url = f"/v1/cases/{case['id']}/complaint"
    letter = client.get(url, headers=case["headers"]).json()
    assert letter["recipient"]["id"] == "nfra" and "12378" in letter["recipient"]["channel"]
    assert [r["id"] for r in letter["recipients"]] == ["lender", "nfra"]
    assert "打断你的腿" in letter["text"] and "《中华人民共和国治安管理处罚法》" in letter["text"]
    assert case["items"][0]["sha256"] in letter["text"]
    txt = client.get(url + "?format=txt&to=lender", headers=case["headers"])
    assert txt.headers["content-type"].startswith("text/plain") and "客户服务部门" in txt.text
    client.patch(f"/v1/cases/{case['id']}", json={"lender_type": "microloan"}, headers=case["headers"])
    letter = client.get(url, headers=case["headers"]).json()
    assert letter["recipient"]["id"] == "local_regulator" and "地方金融管理局" in letter["text"]
    client.patch(f"/v1/cases/{case['id']}", json={"nifa_member": True}, headers=case["headers"])
    assert "nifa" in [r["id"] for r in client.get(url, headers=case["headers"]).json()["recipients"]]
    assert client.get(url + "?to=court", headers=case["headers"]).status_code == 422
    for fmt, prefix in (("pdf", b"%PDF"), ("html", b"<!doctype html>"), ("md", "# 关于".encode())):
        assert client.get(f"{url}?format={fmt}", headers=case["headers"]).content.startswith(prefix)


def test_police_report(client: TestClient, case: dict) -> None:
    url = f"/v1/cases/{case['id']}/police-report"
    doc = client.get(url + "?station=南山派出所", headers=case["headers"]).json()
    assert doc["title"] == "报案材料" and doc["recipient"]["name"] == "南山派出所"
    assert "打断你的腿" in doc["text"] and "《中华人民共和国刑法》第二百九十三条" in doc["text"]
    assert "民法典" not in doc["text"].split("四、涉嫌违反的法律规定")[1].split("五、")[0]
    assert case["items"][0]["sha256"] in doc["text"]
    assert client.get(url + "?format=pdf", headers=case["headers"]).content.startswith(b"%PDF")


def test_edited_document_renders(client: TestClient, case: dict) -> None:
    import pypdf

    r = client.post(f"/v1/cases/{case['id']}/documents", headers=case["headers"],
                    json={"title": "投诉信（修改稿）", "text": "国家金融监督管理总局：\n　　本人补充：对方多次恐吓。"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(r.content)).pages)
    assert "本人补充：对方多次恐吓" in text
    assert client.post(f"/v1/cases/{case['id']}/documents", headers=case["headers"],
                       json={"title": "", "text": "x"}).status_code == 422


def test_evidence_package_verifies(client: TestClient, case: dict) -> None:
    r = client.get(f"/v1/cases/{case['id']}/evidence.zip", headers=case["headers"])
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    sums = zf.read("SHA256SUMS").decode().splitlines()
    assert len(sums) == 2
    for line in sums:
        digest, name = line.split("  ", 1)
        assert sha(zf.read(name)) == digest
    assert json.loads(zf.read("report.json"))["case_id"] == case["id"]


# ---------------------------------------------------------------- durability, transactions, logs


def test_store_is_created_on_first_run_and_survives_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, data_dir=tmp_path / "deep" / "new" / "dir")
    with TestClient(create_app(settings)) as c:
        made = c.post("/v1/cases", json=CONTRACT_CASE).json()
    assert (settings.data_dir / "cases.db").is_file()
    with TestClient(create_app(settings)) as c:
        r = c.get(f"/v1/cases/{made['id']}/report", headers={"X-Case-Key": made["key"]})
        assert r.status_code == 200 and len(r.json()["evidence"]) == 2
        received = c.get(f"/v1/cases/{made['id']}/evidence", headers={"X-Case-Key": made["key"]}).json()
        assert [it["received_at"] for it in received] == [it["received_at"] for it in made["items"]]
        assert all(it["received_at"].endswith(("Z", "+00:00")) for it in received)


def test_failure_mid_request_stores_nothing(client: TestClient, case: dict, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    import service.api.routes.cases as routes

    real = routes.analyze_item
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash")
        return real(*args, **kwargs)

    monkeypatch.setattr(routes, "analyze_item", flaky)
    crashy = TestClient(client.app, raise_server_exceptions=False)
    r = crashy.post(f"/v1/cases/{case['id']}/messages", json=[{"text": "一"}, {"text": "二"}, {"text": "三"}],
                    headers=case["headers"])
    assert r.status_code == 500 and r.json() == {"detail": "internal error"}
    calls["n"] = 0
    r = crashy.post("/v1/cases", json={"platform": "不应保存", "messages": [{"text": "一"}, {"text": "二"}]})
    assert r.status_code == 500
    monkeypatch.setattr(routes, "analyze_item", real)
    items = client.get(f"/v1/cases/{case['id']}/evidence", headers=case["headers"]).json()
    assert len(items) == 2
    db = client.app.state.settings.data_dir / "cases.db"
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM cases WHERE platform = '不应保存'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM evidence_items").fetchone()[0] == 2
    finally:
        con.close()


def test_message_contents_never_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    secret = "独一无二的暗号再不还钱就打断你的腿"
    crashy = TestClient(client.app, raise_server_exceptions=False)
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/analyze", json={"text": secret})
        made = client.post("/v1/cases", json={"messages": [{"text": secret}]}).json()
        client.get(f"/v1/cases/{made['id']}/report?format=pdf", headers={"X-Case-Key": made["key"]})
        client.post("/v1/analyze", json={"text": secret, "channel": "fax"})
        crashy.post(f"/v1/cases/{made['id']}/messages", json={"text": secret, "time": "bad"},
                    headers={"X-Case-Key": made["key"]})
    assert "POST /v1/analyze 200" in caplog.text
    assert secret not in caplog.text and "独一无二" not in caplog.text
    assert made["key"] not in caplog.text
