"""The audit's HTML summary opens in headless Chromium, self-contained, with its charts drawn
(screenshots in artifacts/audit-summary.png, and audit-summary-en.png with --lang en)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from validator.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang, title, unfilled, shot", [
    ("zh", "政府信息公开工作年度报告审计汇总", "未填写", "audit-summary.png"),
    ("en", "Audit summary: government information disclosure annual reports", "unfilled", "audit-summary-en.png"),
])
def test_audit_summary_opens_in_chromium_with_its_charts(browser, artifacts, tmp_path, lang, title, unfilled, shot):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["--lang", lang, "audit", str(CORPUS), "--out", "audit.sqlite", "--summary", "summary",
                     "--jobs", "1", "-q"]) == 0
    finally:
        os.chdir(old)
    page_file = tmp_path / "summary" / "summary.html"
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN" if lang == "zh" else "en-US")
    requests: list[str] = []
    ctx.on("request", lambda r: requests.append(r.url))
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(page_file.as_uri())
    assert pg.title() == title
    for cid in ("chart-status", "chart-rules", "chart-kinds", "chart-years", "chart-worst"):
        chart = pg.locator(f"svg#{cid}")
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box["width"] > 300 and box["height"] > 20
        assert chart.locator("rect.bar").count() >= 1
    # the bars carry the numbers: status bars add up to the 23 reports, the widest is the largest
    widths = pg.eval_on_selector_all("svg#chart-status rect.bar", "els => els.map(e => e.getBBox().width)")
    values = [int(t) for t in pg.eval_on_selector_all("svg#chart-status text.value", "els => els.map(e => e.textContent)")]
    assert sum(values) == 23
    assert widths.index(max(widths)) == values.index(max(values))
    first_rule = pg.eval_on_selector("svg#chart-rules text.label", "e => e.textContent")
    assert first_rule[:1] in "ACFLMPS" and first_rule[1:4].isdigit()
    assert pg.locator("#units tbody tr").count() == 23
    assert pg.locator("#units .st", has_text=unfilled).count() == 1
    pg.screenshot(path=str(artifacts / shot), full_page=True)
    assert not errors
    assert all(u.startswith("file:") for u in requests), requests   # nothing from the network
    ctx.close()
