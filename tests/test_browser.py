"""End to end in a real browser: Debian's chromium (headless, driven by Playwright) against the running app on
loopback — paste a message, see the findings, build a case, download the PDF report and an edited complaint."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MESSAGE = "【某某金融】再不还钱就打断你的腿，你这个老赖"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: run .ci/install-browser.sh"),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn in a thread on a free loopback port, with its own temporary case store."""
    import uvicorn

    from service.api.app import create_app
    from service.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("browser-data"), use_model=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _pdf_text(path: Path) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_paste_findings_case_and_downloads(browser, base_url: str, tmp_path: Path) -> None:
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith((base_url, "blob:", "data:")) else None)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(base_url + "/")
        assert "催收合规卫士" in page.title()

        # Paste → findings shown, highlighted in the text, explained, with the law cited.
        page.fill("#msg-text", MESSAGE)
        page.select_option("#msg-channel", "sms")
        page.fill("#msg-time", "2026-05-03T22:41")
        page.fill("#msg-from", "13812345678")
        page.click("#analyze-btn")
        page.wait_for_selector("#findings li")
        assert "暴力威胁/恐吓" in page.inner_text("#verdict")
        marks = page.locator("#highlighted mark.finding").all_inner_texts()
        assert "打断你的腿" in marks
        findings = page.inner_text("#findings")
        assert "“打断你的腿”" in findings and "治安管理处罚法" in findings

        # Build a case from the message.
        page.fill("#f-platform", "某某借款App")
        page.select_option("#f-lender-type", "consumer_finance")
        page.click("#add-message-btn")
        page.wait_for_selector("#evidence tr")
        assert len(page.inner_text("#case-key")) >= 40
        assert re.search(r"[0-9a-f]{64}", page.inner_text("#evidence"))

        # Download the PDF report: it opens and holds the Chinese quote.
        with page.expect_download() as info:
            page.click("#dl-report-pdf")
        report = tmp_path / "report.pdf"
        info.value.save_as(report)
        text = _pdf_text(report)
        assert "打断你的腿" in text and "催收违规行为证据报告" in text

        # Complaint: generated, edited by the user, downloaded as PDF with the edit.
        page.click("#complaint-btn")
        page.wait_for_selector("#complaint-box:not([hidden])")
        letter = page.input_value("#complaint-text")
        assert letter.startswith("国家金融监督管理总局") and "打断你的腿" in letter
        page.fill("#complaint-text", letter + "\n　　补充说明：对方每天深夜来电。")
        with page.expect_download() as info:
            page.click("#complaint-pdf")
        complaint = tmp_path / "complaint.pdf"
        info.value.save_as(complaint)
        assert "补充说明：对方每天深夜来电。" in _pdf_text(complaint)

        # Police summary is generated too.
        page.click("#police-btn")
        page.wait_for_selector("#police-box:not([hidden])")
        assert "报案" in page.input_value("#police-title") and "打断你的腿" in page.input_value("#police-text")
    finally:
        context.close()
    assert errors == []
    assert outside == [], f"the page reached outside the app: {outside}"
