"""DOCX: python-docx paragraphs and tables in body order, merged cells resolved.

* Every paragraph is one line; its place is ``第12段`` (paragraph number in the document,
  counting the paragraphs inside tables too) and a character's position is (paragraph
  number, character in the paragraph).
* Every table row is one line ``| c1 | c2 | … |`` read from the row's own ``w:tc`` elements:
  a horizontally merged cell (``gridSpan``) is one element and is written once; a vertical
  continuation (``vMerge`` without ``restart``) is not written again — the same as a
  rowspan cell in HTML.  A cell's paragraphs and line breaks are joined into one line
  ("商业<w:br/>企业" → "商业企业").  Cell places read ``表格2 第5行 第3格``.
* Content controls (``w:sdt``) are read like the paragraphs and tables they contain; page
  headers, footers, footnotes and text boxes are not part of the report body.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from ..document import Document, DocumentBuilder
from ..i18n import msg

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WS = " \t\n\r\u00a0\u3000\u200b"


class _State:
    def __init__(self, max_chars: int | None = None):
        self.doc = DocumentBuilder()
        self.sb = self.doc.sb
        self.para_no = 0
        self.table_no = 0
        self.max_chars = max_chars


# runs that are not part of the paragraph's visible text where they stand: deleted
# revisions, text boxes (drawn elsewhere), the fallback copy of alternate content
_NOT_TEXT = {_W + "del", _W + "moveFrom", _W + "txbxContent",
             "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


def _para_text(p_el) -> str:
    """The paragraph's text, including runs inside inline content controls (``w:sdt``),
    tracked insertions, smart tags, custom XML and simple fields — python-docx's
    ``Paragraph.text`` reads only direct runs and hyperlinks, and a value typed into a
    content control of a template would be lost."""
    parts = []
    for r in p_el.iter(_W + "r"):
        a = r.getparent()
        skip = False
        while a is not None and a is not p_el:
            if a.tag in _NOT_TEXT or a.tag == _W + "p":
                skip = True
                break
            a = a.getparent()
        if not skip:
            parts.append(r.text or "")   # python-docx CT_R.text: w:t, w:tab, w:br, w:cr …
    return "".join(parts)


def _paragraph(p_el, st: _State):
    st.para_no += 1
    text = _para_text(p_el)
    if not text.strip(WS):
        return
    place = st.sb.place(None, f"第{st.para_no}段")
    heading = _heading_level(p_el)
    # a line break (w:br) inside a paragraph starts a new line; positions stay in the paragraph
    col = 1
    for piece in text.split("\n"):
        a = len(piece) - len(piece.lstrip(WS))
        b = len(piece.rstrip(WS))
        if b > a:
            start = st.sb.offset
            st.sb.add(piece[a:b].replace("|", "/"), st.para_no, col + a, place)
            st.doc.paragraph(start, st.sb.offset, heading)
            st.sb.newline()
        col += len(piece) + 1
    _check_length(st)


def _heading_level(p_el) -> int | None:
    """Heading level of a paragraph from its outline level or its style id (Heading2, 标题 2)."""
    ppr = p_el.find(_W + "pPr")
    if ppr is None:
        return None
    lvl = ppr.find(_W + "outlineLvl")
    if lvl is not None and (lvl.get(_W + "val") or "").isdigit():
        v = int(lvl.get(_W + "val"))
        return v + 1 if v < 9 else None
    style = ppr.find(_W + "pStyle")
    sid = (style.get(_W + "val") or "") if style is not None else ""
    digits = "".join(ch for ch in sid if ch.isdigit())
    if digits and ("heading" in sid.lower() or "标题" in sid):
        return int(digits)
    return None


def _cell_text(tc, st: _State) -> tuple[str, list[tuple[int, int]]]:
    """A cell's text as one line and each character's (paragraph number, column)."""
    chars: list[str] = []
    pos: list[tuple[int, int]] = []
    for el in tc.iter(_W + "p"):
        st.para_no += 1
        text = _para_text(el)
        for k, ch in enumerate(text):
            if ch in WS:
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    pos.append((st.para_no, k + 1))
                continue
            if chars and chars[-1] == " " and len(chars) >= 2:
                a = chars[-2]
                if not (a.isascii() and a.isalnum() and ch.isascii() and ch.isalnum()):
                    chars.pop()
                    pos.pop()
            elif chars and chars[-1] != " " and k == 0:
                a = chars[-1]
                if a.isascii() and a.isalnum() and ch.isascii() and ch.isalnum():
                    chars.append(" ")
                    pos.append((st.para_no, 1))
            chars.append("/" if ch == "|" else ch)
            pos.append((st.para_no, k + 1))
    s = "".join(chars)
    a = len(s) - len(s.lstrip(" "))
    b = len(s.rstrip(" "))
    return s[a:b], pos[a:b]


def _vmerge(tc) -> str | None:
    tcPr = tc.find(_W + "tcPr")
    if tcPr is None:
        return None
    vm = tcPr.find(_W + "vMerge")
    if vm is None:
        return None
    return vm.get(_W + "val") or "continue"


def _hmerge(tc) -> str | None:
    tcPr = tc.find(_W + "tcPr")
    hm = tcPr.find(_W + "hMerge") if tcPr is not None else None
    if hm is None:
        return None
    return hm.get(_W + "val") or "continue"


def _check_length(st: "_State") -> None:
    """The character limit, applied to the text as it is built."""
    if st.max_chars and st.sb.offset > st.max_chars:
        from ..limits import check_chars_so_far
        check_chars_so_far(st.sb.offset, st.max_chars)


def _grid_span(tc) -> int:
    tcPr = tc.find(_W + "tcPr")
    gs = tcPr.find(_W + "gridSpan") if tcPr is not None else None
    try:
        return max(1, min(int(gs.get(_W + "val")), 1000)) if gs is not None else 1
    except (TypeError, ValueError):
        return 1


def _table(tbl, st: _State):
    st.table_no += 1
    t_no = st.table_no
    sb = st.sb
    st.doc.begin_table("docx")
    r_no = 0
    grid_row = 0
    open_cells: dict[int, object] = {}   # grid column -> GridCell of a vMerge restart above
    for tr in tbl.iter(_W + "tr"):
        if tr.getparent() is not tbl and tr.getparent().tag != _W + "sdtContent":
            # rows of a nested table are read as that table's rows by its own cell
            if _ancestor_table(tr) is not tbl:
                continue
        r_no += 1
        tcs = [tc for tc in tr.iter(_W + "tc") if _ancestor_row(tc) is tr]
        trPr = tr.find(_W + "trPr")
        before = 0
        if trPr is not None:
            gb = trPr.find(_W + "gridBefore")
            if gb is not None and (gb.get(_W + "val") or "").isdigit():
                before = int(gb.get(_W + "val"))
        header = trPr is not None and trPr.find(_W + "tblHeader") is not None and \
            (trPr.find(_W + "tblHeader").get(_W + "val") or "true") not in ("0", "false", "off")
        cells = []
        c_no = 0
        gcol = before
        for tc in tcs:
            c_no += 1
            span = _grid_span(tc)
            vm = _vmerge(tc)
            above = open_cells.get(gcol) if vm == "continue" else None
            if above is not None:
                st.para_no += len(list(tc.iter(_W + "p")))
                above.rowspan = grid_row - above.row + 1   # covered by the cell above
                gcol += span
                continue
            if _hmerge(tc) == "continue" and cells:
                # legacy horizontal merge: this cell is part of the one to its left
                st.para_no += len(list(tc.iter(_W + "p")))
                prev = cells[-1]
                cells[-1] = prev[:3] + (prev[3] + span,) + prev[4:]
                gcol += span
                continue
            cells.append((c_no, tc, gcol, span, vm == "restart"))
            gcol += span
        if not cells:
            grid_row += 1
            continue
        line_pos = None
        for c_no, tc, gcol, span, restart in cells:
            place = sb.place(None, f"表格{t_no} 第{r_no}行 第{c_no}格")
            first_para = st.para_no + 1
            text, pos = _cell_text(tc, st)
            line, col = pos[0] if pos else (first_para, 1)
            line_pos = (line, col, place)
            sb.add("| ", line, col, place, same_place=True)
            start = sb.offset
            if text:
                sb.add_mapped(text, pos, place)
            _check_length(st)
            st.doc.cell(grid_row, gcol, start, sb.offset, 1, span, header=header)
            cell = st.doc._cells[-1]
            if restart:
                open_cells[gcol] = cell
            else:
                open_cells.pop(gcol, None)
            sb.add(" ", line, col, place, same_place=True)
        line, col, place = line_pos
        sb.add("|", line, col, place, same_place=True)
        sb.newline()
        grid_row += 1
    st.doc.end_table()


def _ancestor_table(el):
    p = el.getparent()
    while p is not None and p.tag != _W + "tbl":
        p = p.getparent()
    return p


def _ancestor_row(el):
    p = el.getparent()
    while p is not None and p.tag != _W + "tr":
        p = p.getparent()
    return p


def _blocks(parent, st: _State):
    for el in parent.iterchildren():
        tag = el.tag
        if tag == _W + "p":
            _paragraph(el, st)
        elif tag == _W + "tbl":
            _table(el, st)
        elif tag == _W + "sdt":
            content = el.find(_W + "sdtContent")
            if content is not None:
                _blocks(content, st)
        elif tag in (_W + "customXml", _W + "ins", _W + "smartTag"):
            _blocks(el, st)


def read(data: bytes, name: str) -> Document:
    from . import ReadError
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ReadError(msg("{n}: 读取 DOCX 需要 python-docx（{e}）", "{n}: reading a DOCX needs python-docx ({e})", n=name, e=exc)) from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError(msg("{n}: 不是有效的 Word 文档（.docx 应为 zip 压缩包），可能已损坏或是其他格式",
                            "{n}: not a valid Word document (a .docx is a zip archive); it may be damaged or of another format", n=name))
    from .. import limits as _limits
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "word/document.xml" not in z.namelist():
                raise ReadError(msg("{n}: 压缩包中没有 word/document.xml，不是 Word 文档",
                                    "{n}: the archive has no word/document.xml; not a Word document", n=name))
            # a zip bomb is answered like a file that is too large (P090)
            _limits.check_expanded(sum(i.file_size for i in z.infolist()))
            _check_structure(z.read("word/document.xml"), _limits.current_max_chars())
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError):
        # damaged members (a directory entry pointing before the file: ValueError), an
        # unsupported compression method, encryption
        raise ReadError(msg("{n}: 不是有效的 Word 文档（压缩包已损坏）", "{n}: not a valid Word document (the archive is damaged)", n=name)) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except ReadError:
        raise
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReadError(msg("{n}: 无法读取 Word 文档（{t}）", "{n}: the Word document cannot be read ({t})", n=name, t=type(exc).__name__)) from None
    except Exception as exc:  # lxml XMLSyntaxError and the like: a damaged document
        raise ReadError(msg("{n}: Word 文档已损坏，无法读取（{t}）", "{n}: the Word document is damaged and cannot be read ({t})",
                            n=name, t=type(exc).__name__)) from None
    body = getattr(document.element, "body", None)
    if body is None:   # a document.xml whose root is not Word's <w:document>
        raise ReadError(msg("{n}: Word 文档的正文部分（word/document.xml）不是 Word 的格式，无法读取",
                            "{n}: the body of the Word document (word/document.xml) is not in Word's format; cannot be read", n=name))
    st = _State(_limits.current_max_chars())
    _blocks(body, st)
    doc = st.doc.build(path=name, format="docx", encoding=None)
    doc.meta.update(_core_meta(document))
    return doc


def _check_structure(xml: bytes, max_chars: int | None) -> None:
    """Before python-docx builds the document tree: a document of more XML elements than
    half the character limit is refused (P090).  The tree costs about 200 bytes and 6 µs
    per element — 3.6 million one-character runs took 750 MB and 23 s to load — while a
    long real report has about 100,000.  Counted in the bytes, without parsing."""
    if not max_chars:
        return
    elements = xml.count(b"<") - xml.count(b"</") - xml.count(b"<?") - xml.count(b"<!")
    cap = max(max_chars // 2, 1000)
    if elements > cap:
        from ..limits import InputTooLarge, human_bytes
        raise InputTooLarge(
            f"Word 文档内容过大（document.xml {human_bytes(len(xml))}，约 {elements:,} 个元素，"
            f"超过文本长度上限 {max_chars:,} 字对应的 {cap:,} 个），未检查（上限可用 --max-chars 调整）",
            size=f"{elements:,} elements", limit=f"{cap:,} elements")


def _core_meta(document) -> dict:
    """Created/modified dates from the core properties (docProps/core.xml)."""
    from .meta import iso_of_datetime
    out = {}
    try:
        props = document.core_properties
        for key in ("created", "modified"):
            iso = iso_of_datetime(getattr(props, key))
            if iso:
                out[key] = (iso, None)
    except Exception:  # noqa: BLE001 - damaged or missing core properties are not the report
        pass
    return out
