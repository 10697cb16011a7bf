"""End-to-end tests of the page in headless Debian chromium (Playwright drives /usr/bin/chromium;
it never downloads a browser).  Screenshots go to artifacts/ (kept by CI).

Skipped — loudly, see conftest.py — only when the browser cannot be launched.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SEED1 = CORPUS / "seeds" / "001_68b1fad5fb482fc8.txt"
PDF = CORPUS / "pdf" / "hongzequ_2023.pdf"

pytestmark = pytest.mark.browser

TIMINGS: dict[str, float] = {}


def check_file(page, path: Path) -> float:
    page.set_input_files("#file", str(path))
    t0 = time.perf_counter()
    page.click("#submit")
    page.locator("#status.done-ok, #status.done-bad, #status.error").wait_for(timeout=90000)
    elapsed = time.perf_counter() - t0
    status = page.text_content("#status")
    assert "检查完成" in status, status
    assert page.is_visible("#result")
    time.sleep(0.6)   # the page scrolls to the result smoothly; let it finish before a test scrolls
    return elapsed


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(sel) => {
        const n = document.querySelector(sel);
        if (!n) return false;
        const r = n.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
    }""", selector)


def wait_in_viewport(page, selector: str, timeout: float = 5.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if in_viewport(page, selector):
            return True
        time.sleep(0.05)
    return False


def cell(table: str, row: str, col: str) -> str:
    return f'figure[data-table="{table}"] td[data-row="{row}"][data-col="{col}"]'


def test_seed001_table3_marks_and_click_scrolls(page, artifacts):
    TIMINGS["seed001_txt"] = check_file(page, SEED1)
    # the two 表三 inconsistencies sit on the 自然人 column cells
    new = page.locator(cell("表三", "本年新收", "自然人"))
    total = page.locator(cell("表三", "办理结果总计", "自然人"))
    assert "mark-error" in new.get_attribute("class")
    assert "A301" in new.get_attribute("data-rules").split()
    assert new.inner_text().strip() == "38"
    assert "mark-error" in total.get_attribute("class")
    assert "A303" in total.get_attribute("data-rules").split()
    for row in ("上年结转", "结转下年度"):  # the other cells of A301's equation
        assert "A301" in page.locator(cell("表三", row, "自然人")).get_attribute("data-rules").split()
    # no other column of 表三 and nothing of 表四 is red
    assert page.locator('figure[data-table="表三"] td.mark-error:not([data-col="自然人"])').count() == 0
    t4 = page.locator('figure[data-table="表四"]')
    assert t4.count() == 1
    assert t4.locator(".mark-error, .involved-error, .callout.sev-error").count() == 0
    assert t4.locator("td.cell").count() == 15
    # side list: the two errors
    errs = page.locator(".fgroup-error .fitem")
    assert sorted(errs.nth(i).get_attribute("data-rule") for i in range(errs.count())) == ["A301", "A303"]
    # a callout under 表三 with message, numbers, basis and rule id
    co = page.locator('figure[data-table="表三"] .callout[data-rule="A301"]')
    text = co.inner_text()
    assert "不平衡" in text and "等式左边" in text and "40" in text and "依据" in text and "A301" in text

    # click a finding in the side list: its cell scrolls into view and the two sides are marked
    page.evaluate("window.scrollTo(0, 0)")
    assert not in_viewport(page, cell("表三", "办理结果总计", "自然人"))
    page.click('.fitem[data-rule="A303"]')
    assert wait_in_viewport(page, cell("表三", "办理结果总计", "自然人")), "the clicked finding's cell was not scrolled into view"
    assert "sel-anchor" in total.get_attribute("class")
    assert page.locator('figure[data-table="表三"] td.sel-lhs[data-col="自然人"]').count() >= 6
    assert "selected" in page.locator('.fitem[data-rule="A303"]').get_attribute("class")
    time.sleep(0.4)  # let the smooth scroll settle for the screenshot
    page.screenshot(path=str(artifacts / "web-seed001-A303.png"))

    page.click('.fitem[data-rule="A301"]')
    assert wait_in_viewport(page, cell("表三", "本年新收", "自然人"))
    assert "sel-rhs" in page.locator(cell("表三", "结转下年度", "自然人")).get_attribute("class")
    assert "sel-lhs" in page.locator(cell("表三", "上年结转", "自然人")).get_attribute("class")
    time.sleep(0.4)
    page.screenshot(path=str(artifacts / "web-seed001-A301.png"))
    page.screenshot(path=str(artifacts / "web-seed001-full.png"), full_page=True)

    # clicking a marked cell selects its finding in the side list
    page.click(cell("表三", "办理结果总计", "自然人"))
    assert "selected" in page.locator('.fitem[data-rule="A303"]').get_attribute("class")
    assert page.js_errors == []


def test_downloads_json_and_printable_record(page, artifacts, browser):
    check_file(page, SEED1)
    with page.expect_download() as dl:
        page.click("#dl-json")
    doc = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert doc["version"] == 1 and doc["tool"] == "xxgk-lint"
    assert {f["rule"] for f in doc["findings"] if f["severity"] == "error"} == {"A301", "A303"}
    assert dl.value.suggested_filename.endswith(".json")
    with page.expect_download() as dl:
        page.click("#dl-print")
    html = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "审核留档" in html and "A301" in html
    # the record prints: render it to PDF in the same browser (what 打印 → 另存为PDF gives)
    out = artifacts / "web-seed001-record.html"
    out.write_text(html, encoding="utf-8")
    ctx = browser.new_context()
    p2 = ctx.new_page()
    p2.goto(out.as_uri())
    p2.pdf(path=str(artifacts / "web-seed001-record.pdf"), format="A4")
    p2.screenshot(path=str(artifacts / "web-seed001-record.png"), full_page=True)
    ctx.close()
    assert (artifacts / "web-seed001-record.pdf").stat().st_size > 10000


def test_pdf_table4_totals(page, artifacts):
    TIMINGS["hongzequ_2023_pdf"] = check_file(page, PDF)
    t4 = page.locator('figure[data-table="表四"]')
    a401 = t4.locator('td.mark-error[data-rules~="A401"]')
    a403 = t4.locator('td.mark-error[data-rules~="A403"]')
    assert a401.count() == 1 and a401.get_attribute("data-col") == "复议总计"
    assert a403.count() == 1 and a403.get_attribute("data-col") == "复诉总计"
    rules = {page.locator(".fgroup-error .fitem").nth(i).get_attribute("data-rule")
             for i in range(page.locator(".fgroup-error .fitem").count())}
    assert {"A401", "A403"} <= rules
    assert "第4页" in t4.locator('.callout[data-rule="A401"]').inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    page.click('.fitem[data-rule="A403"]')
    assert wait_in_viewport(page, 'figure[data-table="表四"] td[data-col="复诉总计"]')
    time.sleep(0.4)
    page.screenshot(path=str(artifacts / "web-hongzequ2023-pdf.png"))
    assert page.js_errors == []


def test_pasted_script_is_shown_as_text(page, artifacts):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    report = SEED1.read_text(encoding="utf-8").replace(
        "一、总体情况", "一、总体情况\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>", 1)
    page.click("#tab-btn-paste")
    page.fill("#text", report)
    page.click("#submit")
    page.locator("#status.done-ok, #status.done-bad").wait_for(timeout=60000)
    doc_text = page.inner_text("#doc")
    assert "<script>alert(1)</script>" in doc_text
    assert "<img src=x onerror=alert(2)>" in doc_text
    assert page.locator("#doc script, #doc img").count() == 0
    time.sleep(0.3)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('script').length") == 1   # only /static/app.js
    page.locator("#doc").get_by_text("<script>alert(1)</script>").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "web-script-as-text.png"))


def test_errors_are_shown_in_chinese(page):
    page.click("#submit")   # nothing chosen
    assert "请先选择" in page.text_content("#status")
    page.set_input_files("#file", {"name": "empty.txt", "mimeType": "text/plain", "buffer": b"   "})
    page.click("#submit")
    page.locator("#status.error").wait_for()
    assert "空" in page.text_content("#status")


def test_zz_timings(artifacts):
    """Time to check a report through the page (upload → findings drawn), kept with the screenshots."""
    if not TIMINGS:
        pytest.skip("no timing recorded (browser tests did not run)")
    (artifacts / "web-timings.json").write_text(json.dumps(TIMINGS, indent=2), encoding="utf-8")
    print("\n" + "  ".join(f"{k}: {v:.2f}s" for k, v in TIMINGS.items()))
    assert all(v < 30 for v in TIMINGS.values())
