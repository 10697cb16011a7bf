"""One report's data rendered as pipe text, Markdown, HTML (rowspan/colspan, &nbsp; blanks,
site navigation around the article) and DOCX (python-docx, merged cells).

A table is a list of rows; a row is a list of cells ``(text, rowspan, colspan)`` written
at their first grid position only, as in HTML.  ``None`` as a value means a blank cell.
"""

from __future__ import annotations

import html
import io

C = tuple  # (text, rowspan, colspan)


def c(text, rs=1, cs=1):
    return ("" if text is None else str(text), rs, cs)


def values(vals, cs=1):
    return [c(v, 1, cs) for v in vals]


def table2_2021(d):
    return [
        [c("第二十条第（一）项", 1, 4)],
        [c("信息内容"), c("本年制发件数"), c("本年废止件数"), c("现行有效件数")],
        [c("规章")] + values(d["规章"]),
        [c("行政规范性文件")] + values(d["行政规范性文件"]),
        [c("第二十条第（五）项", 1, 4)],
        [c("信息内容"), c("本年处理决定数量", 1, 3)],
        [c("行政许可"), c(d["行政许可"], 1, 3)],
        [c("第二十条第（六）项", 1, 4)],
        [c("信息内容"), c("本年处理决定数量", 1, 3)],
        [c("行政处罚"), c(d["行政处罚"], 1, 3)],
        [c("行政强制"), c(d["行政强制"], 1, 3)],
        [c("第二十条第（八）项", 1, 4)],
        [c("信息内容"), c("本年收费金额（单位：万元）", 1, 3)],
        [c("行政事业性收费"), c(d["行政事业性收费"], 1, 3)],
    ]


T3_GROUPS = [
    ("（三）不予公开", ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
                  "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]),
    ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]),
    ("（五）不予处理", ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                  "5.要求行政机关确认或重新出具已获取信息"]),
    ("（六）其他处理", ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                  "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]),
]


def table3_2021(d):
    """d maps row labels to 7 values (None = blank)."""
    rows = [
        [c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), c("申请人情况", 1, 7)],
        [c("自然人", 2), c("法人或其他组织", 1, 5), c("总计", 2)],
        [c("商业企业"), c("科研机构"), c("社会公益组织"), c("法律服务机构"), c("其他")],
        [c("一、本年新收政府信息公开申请数量", 1, 3)] + values(d["一、本年新收政府信息公开申请数量"]),
        [c("二、上年结转政府信息公开申请数量", 1, 3)] + values(d["二、上年结转政府信息公开申请数量"]),
    ]
    body = [[c("（一）予以公开", 1, 2)] + values(d["（一）予以公开"]),
            [c("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)]
            + values(d["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"])]
    for group, items in T3_GROUPS:
        for i, item in enumerate(items):
            row = [c(group, len(items))] if i == 0 else []
            body.append(row + [c(item)] + values(d[item]))
    body.append([c("（七）总计", 1, 2)] + values(d["（七）总计"]))
    body[0] = [c("三、本年度办理结果", len(body))] + body[0]
    rows += body
    rows.append([c("四、结转下年度继续办理", 1, 3)] + values(d["四、结转下年度继续办理"]))
    return rows


def table4(vals):
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [c("行政复议", 1, 5), c("行政诉讼", 1, 10)],
        [c(w, 2) for w in words] + [c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5)],
        [c(w) for w in words] * 2,
        values(vals),
    ]


def sample_report():
    """A 2023 report with known mistakes: 表三 自然人 does not balance (A301), the 商业企业
    results do not add up to 总计 (A303), one blank cell (F502), 表四 复议 总计 wrong (A401)."""
    zeros = [0] * 7
    d3 = {k: list(zeros) for k in ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
                                   "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（七）总计", "四、结转下年度继续办理"]}
    for _g, items in T3_GROUPS:
        for it in items:
            d3[it] = list(zeros)
    d3["一、本年新收政府信息公开申请数量"] = [10, 2, 0, 0, 0, 0, 12]
    d3["二、上年结转政府信息公开申请数量"] = [2, 0, 0, 0, 0, 0, 2]
    d3["（一）予以公开"] = [6, 1, 0, 0, 0, 0, 7]
    d3["1.本机关不掌握相关政府信息"] = [3, 0, 0, 0, 0, 0, 3]
    d3["2.重复申请"] = [2, None, 0, 0, 0, 0, 2]
    d3["（七）总计"] = [11, 2, 0, 0, 0, 0, 12]
    d3["四、结转下年度继续办理"] = [0, 0, 0, 0, 0, 0, 0]
    d2 = {"规章": [0, 0, 3], "行政规范性文件": [5, 1, 40], "行政许可": 120, "行政处罚": 33, "行政强制": 2,
          "行政事业性收费": "12.5"}
    t4 = [3, 1, 0, 0, 3, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    return {
        "title": "某县人民政府2023年政府信息公开工作年度报告",
        "sections": [
            ("一、总体情况", ["2023年，本县坚持以公开为常态、不公开为例外，推进政府信息公开工作。"]),
            ("二、主动公开政府信息情况", [table2_2021(d2)]),
            ("三、收到和处理政府信息公开申请情况", [table3_2021(d3)]),
            ("四、政府信息公开行政复议、行政诉讼情况", [table4(t4)]),
            ("五、存在的主要问题及改进情况", ["一是公开的主动性有待提高。二是解读形式较为单一。"]),
            ("六、其他需要报告的事项", ["本年度未收取信息处理费。"]),
        ],
    }


# ---------------------------------------------------------------------------------------
def to_pipe(rep) -> str:
    out = [rep["title"]]
    for head, blocks in rep["sections"]:
        out.append(head)
        for b in blocks:
            if isinstance(b, str):
                out.append(b)
            else:
                for row in b:
                    out.append("| " + " | ".join(t for t, _r, _c in row) + " |")
    return "\n".join(out) + "\n"


def to_markdown(rep) -> str:
    out = [f"# {rep['title']}", ""]
    for head, blocks in rep["sections"]:
        out += [f"## {head}", ""]
        for b in blocks:
            if isinstance(b, str):
                out += [b, ""]
            else:
                for i, row in enumerate(b):
                    out.append("| " + " | ".join(t.replace("结果纠正", "结果<br>纠正") for t, _r, _c in row) + " |")
                    if i == 0:
                        out.append("|" + "---|" * len(row))
                out.append("")
    return "\n".join(out)


def to_html(rep, nav=True) -> str:
    h = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\"><title>" + html.escape(rep["title"]) + "_某县人民政府</title>",
         "<style>td{border:1px solid #000}</style><script>var menu='一、总体情况 二、主动公开政府信息情况';</script></head><body>"]
    if nav:
        h += ['<div class="header"><div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>',
              '<li><a href="/ndbg">政府信息公开年报</a></li></ul></div></div>',
              '<div class="main"><div class="left-menu"><ul><li>政府信息公开指南</li><li>政府信息公开制度</li>',
              '<li>政府信息公开年报 2022 2021 2020</li></ul></div>',
              '<div class="content"><div class="position">当前位置：首页 &gt; 政务公开 &gt; 年报</div>',
              f'<h1 class="title">{html.escape(rep["title"])}</h1>',
              '<div class="info">发布日期：2024-01-20 来源：县政府办公室 浏览次数：<span id="hits">123</span></div>']
    h.append('<div class="TRS_Editor"><!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->')
    if not nav:
        h.append(f'<p class="MsoNormal" align="center"><b><span style="font-size:16pt">{html.escape(rep["title"])}</span></b></p>')
    for head, blocks in rep["sections"]:
        h.append(f'<p class="MsoNormal"><span style="font-family:黑体">{html.escape(head)}<o:p></o:p></span></p>')
        for b in blocks:
            if isinstance(b, str):
                h.append(f'<p class="MsoNormal" style="text-indent:32pt"><span lang="EN-US"><![if !supportLists]></span>'
                         f'<span>{html.escape(b)}</span></p>')
                continue
            h.append('<table class="MsoNormalTable" border="1" cellspacing="0"><tbody>')
            for row in b:
                h.append("<tr>")
                for text, rs, cs in row:
                    attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                    inner = html.escape(text).replace("本年制发件数", "本年制发<br/>件数") if text else "&nbsp;"
                    h.append(f'<td{attrs} valign="center"><p class="MsoNormal" align="center">'
                             f'<span style="font-size:10.5pt">{inner}</span></p></td>')
                h.append("</tr>")
            h.append("</tbody></table>")
    h.append("</div>")
    if nav:
        h += ['</div></div><div class="footer"><p>主办：某县人民政府办公室 地址：某县人民路1号</p>',
              '<p>一、总体情况 二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况</p></div>']
    h.append("</body></html>")
    return "\n".join(h)


def _grid(rows):
    """(row, col, text, rowspan, colspan) for every real cell, HTML table algorithm."""
    taken = set()
    out = []
    ncols = 0
    for r, row in enumerate(rows):
        col = 0
        for text, rs, cs in row:
            while (r, col) in taken:
                col += 1
            out.append((r, col, text, rs, cs))
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, col + dc))
            col += cs
            ncols = max(ncols, col)
    return out, ncols


def to_docx(rep) -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph(rep["title"])
    for head, blocks in rep["sections"]:
        d.add_paragraph(head)
        for b in blocks:
            if isinstance(b, str):
                d.add_paragraph(b)
                continue
            cells, ncols = _grid(b)
            t = d.add_table(rows=len(b), cols=ncols)
            for r, col, text, rs, cs in cells:
                a = t.cell(r, col)
                if rs > 1 or cs > 1:
                    a = a.merge(t.cell(r + rs - 1, col + cs - 1))
                if text:
                    a.text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# the 2019 format (国办公开办函〔2019〕60号)
def table2_2019(d):
    head = [c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量")]
    return [
        [c("第二十条第（一）项", 1, 4)],
        [c("信息内容"), c("本年新制作数量"), c("本年新公开数量"), c("对外公开总数量")],
        [c("规章")] + values(d["规章"]),
        [c("规范性文件")] + values(d["规范性文件"]),
        [c("第二十条第（五）项", 1, 4)], list(head),
        [c("行政许可")] + values(d["行政许可"]),
        [c("其他对外管理服务事项")] + values(d["其他对外管理服务事项"]),
        [c("第二十条第（六）项", 1, 4)], list(head),
        [c("行政处罚")] + values(d["行政处罚"]),
        [c("行政强制")] + values(d["行政强制"]),
        [c("第二十条第（八）项", 1, 4)],
        [c("信息内容"), c("上一年项目数量"), c("本年增/减", 1, 2)],
        [c("行政事业性收费"), c(d["行政事业性收费"][0]), c(d["行政事业性收费"][1], 1, 2)],
        [c("第二十条第（九）项", 1, 4)],
        [c("信息内容"), c("采购项目数量"), c("采购总金额", 1, 2)],
        [c("政府集中采购"), c(d["政府集中采购"][0]), c(d["政府集中采购"][1], 1, 2)],
    ]


def table3_2019(d):
    rows = table3_2021(d)
    # （六）其他处理 is a single row in the 2019 format: replace the three 2021 sub-rows
    out = []
    skip = 0
    for row in rows:
        if skip:
            skip -= 1
            continue
        if row and row[0][0] == "（六）其他处理":
            out.append([c("（六）其他处理", 1, 2)] + values(d["（六）其他处理"]))
            skip = 2
            continue
        out.append(row)
    # the 三、本年度办理结果 cell now spans two rows fewer
    for row in out:
        if row and row[0][0] == "三、本年度办理结果":
            row[0] = c("三、本年度办理结果", row[0][1] - 2)
    return out


def sample_report_2019():
    """A 2019 report (the layout of seeds/001): 自然人 does not balance (A301), results do
    not add up (A303), 表四 复议后起诉 总计 wrong (A403)."""
    zeros = [0] * 7
    d3 = {}
    for k in ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
              "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（六）其他处理", "（七）总计", "四、结转下年度继续办理"]:
        d3[k] = list(zeros)
    for _g, items in T3_GROUPS:
        for it in items:
            d3[it] = list(zeros)
    d3["一、本年新收政府信息公开申请数量"] = [38, 0, 0, 0, 0, 0, 38]
    d3["二、上年结转政府信息公开申请数量"] = [2, 0, 0, 0, 0, 0, 2]
    d3["（一）予以公开"] = [18, 0, 0, 0, 0, 0, 18]
    d3["4.保护第三方合法权益"] = [8, 0, 0, 0, 0, 0, 8]
    d3["1.本机关不掌握相关政府信息"] = [10, 0, 0, 0, 0, 0, 10]
    d3["（六）其他处理"] = [2, 0, 0, 0, 0, 0, 2]
    d3["（七）总计"] = [38, 0, 0, 0, 0, 0, 38]
    d2 = {"规章": [0, 0, 0], "规范性文件": [21, 21, 210], "行政许可": [45, 0, 1200], "其他对外管理服务事项": [3, 0, 12],
          "行政处罚": [60, "增2", 300], "行政强制": [4, 0, 9], "行政事业性收费": [7, 0], "政府集中采购": [210, "45503.48万元"]}
    t4 = [0, 2, 0, 0, 2, 0, 0, 0, 10, 10, 0, 1, 0, 0, 0]
    return {
        "title": "三都水族自治县人民政府2019年政府信息公开工作年度报告",
        "sections": [
            ("一、总体情况", ["2019年，我县认真贯彻落实新修订的《中华人民共和国政府信息公开条例》。"]),
            ("二、主动公开政府信息情况", [table2_2019(d2)]),
            ("三、收到和处理政府信息公开申请情况", [table3_2019(d3)]),
            ("四、政府信息公开行政复议、行政诉讼情况", [table4(t4)]),
            ("五、存在的主要问题及改进情况", ["一是公开的主动性有待提高。"]),
            ("六、其他需要报告的事项", ["无。"]),
        ],
    }


def to_html_in_layout_table(rep) -> str:
    """The article inside a page-layout table whose other cell is a menu (older CMS pages)."""
    h = to_html(rep, nav=False)
    h = h.replace('<div class="TRS_Editor">', '<table width="100%"><tr><td class="leftnav"><a href="/">首页</a>'
                  '<a href="/jg">机构设置</a></td><td><div class="TRS_Editor">', 1)
    return h.replace("</div>\n</body>", "</div></td></tr></table>\n</body>", 1)
