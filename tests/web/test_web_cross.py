"""The page compares a report with last year's (issue 14): upload both, the cross-year
findings are shown with both cells — this year's 上年结转 and last year's 结转下年度."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
HZ23 = CORPUS / "reports" / "009_hongzequ_2023.txt"
HZ24 = CORPUS / "reports" / "010_hongzequ_2024.txt"


def _carry_over_2(text: str) -> str:
    """2024's 二、上年结转 row with 自然人 and 总计 changed from 0 to 2."""
    ls = text.split("\n")
    i = next(k for k, ln in enumerate(ls) if ln.lstrip().startswith("二、上年结转"))
    ls[i] = re.sub(r"(数量\s+)0(\s)", r"\g<1>2\g<2>", ls[i], count=1)
    ls[i] = re.sub(r"0(\s*)$", r"2\1", ls[i])
    return "\n".join(ls)


def _check_with_previous(page, this: Path, previous: Path):
    page.set_input_files("#file", str(this))
    page.set_input_files("#previous", str(previous))
    page.click("#submit")
    page.locator("#status.done-ok, #status.done-bad, #status.error").wait_for(timeout=90000)
    assert "检查完成" in page.text_content("#status"), page.text_content("#status")
    time.sleep(0.6)


@pytest.mark.browser
def test_previous_report_cross_year_findings_with_both_cells(page, artifacts, tmp_path):
    changed = tmp_path / "010_hongzequ_2024_changed.txt"
    changed.write_text(_carry_over_2(HZ24.read_text(encoding="utf-8")), encoding="utf-8")
    _check_with_previous(page, changed, HZ23)
    this_year = '#doc figure[data-table="表三"] td[data-row="上年结转"][data-col="{}"]'
    last_year = '#previous-report figure[data-table="表三"] td[data-row="结转下年度"][data-col="{}"]'
    for col in ("自然人", "总计"):
        mine = page.locator(this_year.format(col))
        theirs = page.locator(last_year.format(col))
        assert "Y101" in mine.get_attribute("data-rules").split() and "mark-error" in mine.get_attribute("class")
        assert "Y101" in theirs.get_attribute("data-rules").split()
        assert mine.inner_text().strip() == "2" and theirs.inner_text().strip() == "0"
    # other columns hold: no cross-year mark there
    assert page.locator('#doc td[data-rules~="Y101"]').count() == 2
    assert page.locator('#previous-report td[data-rules~="Y101"]').count() == 2
    box = page.locator("#previous-report")
    assert box.is_visible() and "2023年度" in box.inner_text() and "核对7项，2项不一致" in box.inner_text()
    # selecting the finding marks this year's cell and last year's cell
    page.locator('.fitem[data-rule="Y101"]').first.click()
    time.sleep(0.3)
    col = page.locator('#doc td.sel-anchor').get_attribute("data-col")
    assert "sel-related" in page.locator(last_year.format(col)).get_attribute("class")
    callout = page.locator('.callout[data-rule="Y101"]').first
    assert "上一年度报告：2023年度报告 表三「结转下年度」" in callout.inner_text()
    page.screenshot(path=str(artifacts / "web-cross-year.png"), full_page=True)
    assert page.js_errors == []


@pytest.mark.browser
def test_previous_report_that_agrees_says_so(page):
    _check_with_previous(page, HZ24, HZ23)
    assert page.locator('td[data-rules~="Y101"]').count() == 0
    assert "核对7项，全部一致" in page.locator("#previous-report").inner_text()
    assert page.js_errors == []
