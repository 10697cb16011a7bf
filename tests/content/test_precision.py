"""Precision of the content rules on real reports and their renderings (issue 12 item 3):

* C409 (一是、二是…) understands sub-headings: a heading running into its first item
  (“（三）政府信息管理方面一是…”) or followed by it on the next line is a heading and the list's
  first item, not a skipped 一是; it still fires on seeds/001 (四是 after 二是) and reports/015;
* C201 fires on a single label of the other format (规范性文件 in a 2021+ report);
* impossible dates are flagged (a 2019 report signed 2019年1月3日; published before signed;
  signed years after) in every rendering that carries them;
* the deadline rule M106 gives the same finding in every rendering of the same report.

Renderings are written by the project's test renderer (tests/renderings/render.py) from the
corpus report as the tool reads it; the PDF is the HTML rendering printed by Chromium (as a
page's "save as PDF" makes it: its text layer uses Kangxi radical code points such as ⽉).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import corpus_file
from validator.lint import lint_path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def findings(path, *rules):
    return [f for f in lint_path(str(path)).findings if f.rule in rules]


def variant(tmp_path, rel: str, name: str, edit) -> Path:
    text = corpus_file(rel).read_text(encoding="utf-8")
    new = edit(text)
    assert new != text, "the edit changed nothing"
    p = tmp_path / f"{name}{corpus_file(rel).suffix}"
    p.write_text(new, encoding="utf-8")
    return p


# -- C409 ------------------------------------------------------------------------------
HEAD_ITEM = re.compile(r"(（[一二三四五六七八九十]）[^。，,；]{2,15}?) 一是")


def test_c409_the_corpus_heading_and_first_item_give_nothing(tmp_path):
    # reports/004 (page text): “（二）依申请公开方面 一是…”, “（三）政府信息管理方面 一是…”,
    # “（五）监督保障方面 一是…”; as a page where the heading runs into its first item, and
    # as PDF layout with the first item on the next line
    rel = "reports/004_pingtan_2022.txt"
    assert len(HEAD_ITEM.findall(corpus_file(rel).read_text(encoding="utf-8"))) == 3
    joined = variant(tmp_path, rel, "joined", lambda t: HEAD_ITEM.sub(r"\1一是", t))
    broken = variant(tmp_path, rel, "broken", lambda t: HEAD_ITEM.sub(r"\1\n一是", t))
    arabic = variant(tmp_path, rel, "arabic", lambda t: re.sub(r"（([二三五])）([^。，,；]{2,15}?) 一是",
                                                           lambda m: f"{'二三五'.index(m.group(1)) + 2}.{m.group(2)}一是", t))
    for p in (corpus_file(rel), joined, broken, arabic):
        assert findings(p, "C409") == [], p.name


def test_c409_a_list_under_a_heading_that_skips_is_still_found(tmp_path):
    # the same heading running into a list that really skips: 一是 … 三是
    rel = "reports/004_pingtan_2022.txt"

    def skip(t):
        t = HEAD_ITEM.sub(r"\1一是", t, count=1)
        m = re.search(r"（二）依申请公开方面一是.*?二是", t)
        return t[:m.end() - 2] + "三是" + t[m.end():]
    p = variant(tmp_path, rel, "skip", skip)
    # 一是 … 三是 (the old 二是) … 三是: a skip, then a repeat
    fs = findings(p, "C409")
    assert [f.col for f in fs] == [1000, 1164]
    assert "“三是”跳过了二是" in fs[0].message and "“三是”与前面的“三是”重复" in fs[1].message


@pytest.mark.parametrize("rel,line,col,found", [
    ("seeds/001_68b1fad5fb482fc8.txt", 7, 611, "“四是”跳过了三是"),
    ("reports/015_pingtan_dishuiju_2013.txt", 1, 835, "“三是”跳过了二是"),
])
def test_c409_still_fires_where_a_number_is_skipped(rel, line, col, found):
    fs = findings(corpus_file(rel), "C409")
    assert [(f.line, f.col) for f in fs] == [(line, col)]
    assert found in fs[0].message


# -- C201 ------------------------------------------------------------------------------
def test_c201_a_single_old_label_in_a_2021_format_report(tmp_path):
    # reports/011 (淮安市2024, PDF text): 表二 row “行政规范性文件” written with its 2019 label
    p = variant(tmp_path, "reports/011_huaian_2024.txt", "old-label",
                lambda t: t.replace("\n行政规范性文件", "\n规范性文件", 1))
    (f,) = findings(p, "C201")
    assert f.line == 74 and f.table == "表二" and "规范性文件" in f.message and "2021年" in f.message
    assert findings(corpus_file("reports/011_huaian_2024.txt"), "C201") == []


def test_c201_the_corpus_report_with_the_old_label():
    # reports/013 (上海市科委2024, Markdown from a PDF) writes 规范性文件 in 表二
    (f,) = findings(corpus_file("reports/013_shanghai_kewei_2024.txt"), "C201")
    assert f.line == 89 and "规范性文件" in f.message


# -- renderings ----------------------------------------------------------------------------
def renderings(tmp_path, rel: str, edit, closing: str | None = None) -> dict[str, Path]:
    """The report (edited) as text, and from the model in Markdown, HTML, DOCX and PDF."""
    from tests.renderings import render as R
    src = variant(tmp_path, rel, "text", edit)
    report = lint_path(str(src)).report
    data = R.report_data(report)
    if closing:
        data = replace(data, closing=data.closing + [closing])
    out = {"text": src}
    for k in ("md_repeated", "html_spans", "docx_merged"):
        out[k] = R.write(data, k, tmp_path, "r")
    out["pdf"] = print_pdf(out["html_spans"], tmp_path / "r.pdf")
    return out


def print_pdf(html: Path, pdf: Path) -> Path:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/install-browser.sh)")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", str(html)], capture_output=True, timeout=120, check=True)
    assert pdf.stat().st_size > 10000
    return pdf


SEED1 = "seeds/001_68b1fad5fb482fc8.txt"     # 三都水族自治县人民政府, 2019, signed 2020年1月22日


def test_m106_is_the_same_finding_in_every_rendering(tmp_path):
    out = renderings(tmp_path, SEED1, lambda t: t.replace("2020年1月22日", "2020年4月20日"), "2020年4月20日")
    seen = {}
    for k, p in out.items():
        fs = findings(p, "M106")
        assert len(fs) == 1, (k, [f.message for f in fs])
        seen[k] = fs[0].message
    assert len(set(seen.values())) == 1, seen
    msg = seen["text"]
    assert "落款日期是2020年4月20日" in msg and "2020年3月31日" in msg and "三都水族自治县人民政府" in msg
    # and where it is: the signature line in each file
    assert findings(out["text"], "M106")[0].line == 186
    assert findings(out["pdf"], "M106")[0].location.page is not None


def test_impossible_signing_date_in_every_rendering(tmp_path):
    # a 2019 report signed 2019年1月3日 (the year was not changed)
    out = renderings(tmp_path, SEED1, lambda t: t.replace("2020年1月22日", "2019年1月3日"), "2019年1月3日")
    messages = set()
    for k, p in out.items():
        fs = findings(p, "M107", "M106")
        assert [f.rule for f in fs] == ["M107"], (k, [f.message for f in fs])
        messages.add(fs[0].message)
    (msg,) = messages
    assert "落款日期是2019年1月3日" in msg and "早于2019年度结束" in msg


def test_publication_before_signing_and_a_year_far_off(tmp_path):
    # reports/003 (平潭综合实验区2021, page text): “时间：2022-02-08” under the title
    pub = variant(tmp_path, "reports/003_pingtan_2021.txt", "pub",
                  lambda t: t.rstrip("\n") + "\n平潭综合实验区管委会\n2022年3月1日\n")
    (f,) = findings(pub, "M107")
    assert "发布日期是2022年2月8日" in f.message and "早于落款日期2022年3月1日" in f.message
    far = variant(tmp_path, "reports/003_pingtan_2021.txt", "far",
                  lambda t: t.rstrip("\n") + "\n平潭综合实验区管委会\n2032年1月10日\n")
    fs = findings(far, "M107")
    assert any("比报告年度晚11年" in f.message for f in fs), [f.message for f in fs]


def test_a_late_page_publication_date_is_found_from_the_page_text_and_the_html(tmp_path):
    # reports/003 again, published 2022-04-08 (after the 3月31日 deadline): the copied page text,
    # an HTML page showing the same line, and an HTML page carrying the date only in its
    # <meta name="PubDate"> (Document.meta) give the same finding
    late = variant(tmp_path, "reports/003_pingtan_2021.txt", "late", lambda t: t.replace("2022-02-08", "2022-04-08"))
    text = late.read_text(encoding="utf-8")
    html = tmp_path / "late.html"
    body = "".join(f"<p>{ln}</p>" for ln in text.split(" ") if ln)
    html.write_text(f'<html><head><meta charset="utf-8"><title>年报</title></head><body>{body}</body></html>',
                    encoding="utf-8")
    meta = tmp_path / "meta.html"
    body = "".join(f"<p>{ln}</p>" for ln in text.replace("时间：2022-04-08 16:34", "").split(" ") if ln)
    assert "2022-04-08" not in body
    meta.write_text('<html><head><meta charset="utf-8"><meta name="PubDate" content="2022-04-08 16:34">'
                    f'<title>年报</title></head><body>{body}</body></html>', encoding="utf-8")
    msgs = set()
    for p in (late, html, meta):
        (f,) = findings(p, "M106")
        msgs.add(f.message)
    (msg,) = msgs
    assert msg.startswith("发布日期是2022年4月8日") and "2022年3月31日" in msg


def test_m106_reads_the_pdf_files_own_date_when_the_text_has_none(tmp_path):
    # seeds/001 written out without its signature date: the HTML has no date at all, the PDF
    # printed from it carries its creation date in the file's metadata (Document.meta)
    out = renderings(tmp_path, SEED1, lambda t: t.replace("2020年1月22日", "二〇二〇年一月二十二日"))
    assert findings(out["html_spans"], "M106") == []
    from validator.readers import read_path
    created = read_path(str(out["pdf"])).meta["created"][0]        # the day Chromium wrote it
    (f,) = findings(out["pdf"], "M106")
    y, m, d = (int(x) for x in created.split("-"))
    assert f.message.startswith(f"文件生成日期是{y}年{m}月{d}日") and "2020年3月31日" in f.message


def test_a_signing_date_in_chinese_numerals_is_read(tmp_path):
    # “二〇一九年一月三日”: the same impossible date, written as many reports sign
    p = variant(tmp_path, SEED1, "cn", lambda t: t.replace("2020年1月22日", "二〇一九年一月三日"))
    (f,) = findings(p, "M107")
    assert f.line == 186 and "落款日期是2019年1月3日" in f.message
