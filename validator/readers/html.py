"""HTML: CMS pages and Word-pasted article bodies → paragraphs and pipe-table rows.

A small tree builder on the standard library's ``html.parser`` records, for every text
character, its line and column in the HTML source (entities such as ``&nbsp;`` point at their
``&``).  Then:

* the charset comes from a BOM, valid UTF-8 or ``<meta charset>`` / ``http-equiv`` (GBK pages);
* ``script``/``style``/``nav``/``header``/``footer``/menus and comments (including Word's
  ``<!--[if …]>`` conditional comments) are dropped;
* the article body is the deepest element that still holds (nearly) all of the report's
  section titles and table labels; a title outside it (``<h1>`` of the page, ``<title>``)
  is put in front so the report year is found;
* every paragraph-like block becomes one line; every table row becomes one line
  ``| c1 | c2 | … |`` with each real cell once (a rowspan/colspan cell is written at its
  first grid position only, as the lexer expects), ``<br>``/``<p>`` inside a cell joined
  ("本年新<br/>制作数量" → "本年新制作数量"), ``&nbsp;``-only cells empty;
* a table that contains tables is page layout: its cells are read as ordinary blocks.
"""

from __future__ import annotations

import re
from html import unescape as _unescape
from html.parser import HTMLParser

from ..document import Document, DocumentBuilder
from .text import bad_byte_notes, decode

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr", "basefont", "frame", "keygen"}
DROP = {"script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside", "iframe",
        "select", "option", "button", "input", "textarea", "svg", "object", "embed", "map", "canvas",
        "xml", "o:smarttagtype"}
BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
         "article", "main", "blockquote", "pre", "address", "figure", "figcaption", "form", "fieldset",
         "center", "hr", "caption", "body", "html", "tr", "table", "title"}
JUNK_ATTR = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|header|head|breadcrumb|crumbs?|sidebar|"
                       r"share|toolbar|topbar|banner|copyright|search|login|position|location|dqwz|"
                       r"bdsharebuttonbox|related|xgwz|print|skip)(?:$|[\s_-]|\d)", re.I)
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")  # as html.unescape
_WS_DEL = str.maketrans({ch: None for ch in " \t\n\r\f\u00a0\u3000\u200b"})
RAW_DROP = {"script", "style"}   # their text is not kept at all
WS = " \t\n\r\f\u00a0\u3000\u200b"
MAX_DEPTH = 200   # elements nested deeper are flattened into their ancestor (the readers recurse)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)

# Words that mark the report body (section titles, table labels) are the formats'
# (rules/formats/*.yaml, ``report_words``): the pipeline passes them in (read(…, markers=…));
# without them every part of the page that is not navigation or page furniture is content.
_TITLE = re.compile(r"\d{4}\s*年度?.{0,40}?(?:年度报告|工作报告|年报)")


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class Node:
    __slots__ = ("tag", "attrs", "children", "parent", "line", "col", "_compact")

    def __init__(self, tag, attrs, parent, line, col):
        self.tag = tag
        self.attrs = attrs
        self.children: list = []
        self.parent = parent
        self.line = line
        self.col = col
        self._compact = None

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def iter(self):
        stack = [self]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed([c for c in n.children if isinstance(c, Node)]))

    def text_content(self) -> str:
        """All text below (whitespace kept)."""
        parts = []
        stack = [self]
        while stack:
            n = stack.pop()
            if isinstance(n, TextRun):
                parts.append(n.text)
            elif n.tag not in RAW_DROP:
                stack.extend(reversed(n.children))
        return "".join(parts)

    def compact_text(self) -> str:
        """All text below, without whitespace (cached)."""
        if self._compact is None:
            parts = []
            for c in self.children:
                if isinstance(c, Node):
                    if c.tag not in DROP:
                        parts.append(c.compact_text())
                else:
                    parts.append(c.text.translate(_WS_DEL))
            self._compact = "".join(parts)
        return self._compact


class TextRun:
    """Text of one run between tags, kept as pieces ``(text, line, column, raw)``.  ``raw``
    None: each character advances the column (and a newline the line).  ``raw`` a string:
    ``text`` is the HTML source ``raw`` with its character references decoded, and each
    character of a reference is placed at its ``&``.  Appending is O(1); positions are
    worked out only when the text is written out."""

    __slots__ = ("parts", "_text")

    def __init__(self):
        self.parts: list[tuple[str, int, int, str | None]] = []
        self._text: str | None = None

    def add(self, text: str, line: int, col: int, raw: str | None = None) -> None:
        self.parts.append((text, line, col, raw))
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(p[0] for p in self.parts)
        return self._text

    def chars(self):
        """(character, (line, column)) for every character."""
        for text, line, col, raw in self.parts:
            if raw is None:
                yield from _advance(text, line, col)
                continue
            if raw == "\x00":
                for ch in text:
                    yield ch, (line, col)
                continue
            out = list(_decoded(raw, line, col))
            if len(out) != len(text):   # not the piece html.parser decoded: all at its start
                out = [(ch, (line, col)) for ch in text]
            else:
                out = [(ch, lc) for (_c, lc), ch in zip(out, text)]
            yield from out


_REFS: dict[str, str] = {}


def _ref(s: str) -> str:
    v = _REFS.get(s)
    if v is None:
        v = _unescape(s)
        if len(_REFS) < 4096:
            _REFS[s] = v
    return v


def _decoded(raw: str, line: int, col: int):
    """Characters of ``raw`` with its references decoded, each with its (line, column)."""
    pos = 0
    for m in _CHARREF.finditer(raw):
        for ch in raw[pos:m.start()]:
            yield ch, (line, col)
            if ch == "\n":
                line, col = line + 1, 1
            else:
                col += 1
        for ch in _ref(m.group(0)):
            yield ch, (line, col)
        col += m.end() - m.start()
        pos = m.end()
    yield from _advance(raw[pos:], line, col)


def _advance(text: str, line: int, col: int):
    for ch in text:
        yield ch, (line, col)
        if ch == "\n":
            line += 1
            col = 1
        else:
            col += 1


class _Builder(HTMLParser):
    """html.parser → Node tree; every text character keeps its (line, column)."""

    def __init__(self, source: str = "", max_text: int | None = None):
        # character references are decoded by html.parser itself (html.unescape, linear in
        # the text, HTML5 rules: surrogates and out-of-range code points become U+FFFD);
        # handle_data finds each piece's place in the source to give every character its
        # line and column
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0]
        i = source.find("\n")
        while i >= 0:
            self.line_starts.append(i + 1)
            i = source.find("\n", i + 1)
        self.root = Node("#document", {}, None, 1, 1)
        self.stack = [self.root]
        # text kept in the tree (outside scripts and styles), and the most it may be: twice
        # the character limit (menus and other page furniture are dropped later) — so a
        # page of 45 MB of text is refused while it is read, not after it was built
        self.kept = 0
        self.max_text = max_text

    # -- tree shape -------------------------------------------------------------------
    def _close_to(self, names, stop=("table",)):
        """Close the innermost open element named in names (and everything inside it),
        unless an element in stop is met first."""
        for i in range(len(self.stack) - 1, 0, -1):
            t = self.stack[i].tag
            if t in names:
                del self.stack[i:]
                return True
            if t in stop:
                return False
        return False

    def handle_starttag(self, tag, attrs):
        line, col = self.getpos()
        tag = tag.lower()
        if tag in ("td", "th"):
            self._close_to(("td", "th"), stop=("tr", "table"))
        elif tag == "tr":
            self._close_to(("tr",), stop=("table",))
        elif tag in ("tbody", "thead", "tfoot"):
            self._close_to(("tbody", "thead", "tfoot"), stop=("table",))
        elif tag == "li":
            self._close_to(("li",), stop=("ul", "ol", "table"))
        elif tag in ("p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"):
            if tag != "div" and tag != "table":
                self._close_to(("p",), stop=("td", "th", "div", "table", "li", "body"))
            elif tag == "table":
                self._close_to(("p",), stop=("td", "th", "div", "li", "body"))
        if len(self.stack) >= MAX_DEPTH and tag not in VOID:
            return  # absurdly deep nesting (no real page has it): the text goes to the deepest element kept
        node = Node(tag, {k.lower(): (v or "") for k, v in attrs}, self.stack[-1], line, col + 1)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() not in VOID and self.stack[-1].tag == tag.lower():
            self.stack.pop()

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag == "br":  # </br> is a line break in browsers
            line, col = self.getpos()
            self.stack[-1].children.append(Node("br", {}, self.stack[-1], line, col + 1))
            return
        stop = ("table",) if tag in ("td", "th", "tr", "tbody", "thead", "tfoot", "p") else ()
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
            if self.stack[i].tag in stop and tag != "table":
                return

    # -- text -----------------------------------------------------------------------------
    def _run(self) -> TextRun:
        kids = self.stack[-1].children
        if kids and isinstance(kids[-1], TextRun):
            return kids[-1]
        r = TextRun()
        kids.append(r)
        return r

    def _count(self, n: int) -> None:
        self.kept += n
        if self.max_text and self.kept > self.max_text:
            from ..limits import check_chars_so_far
            check_chars_so_far(self.kept, self.max_text // 2)

    def handle_data(self, data):
        if not data or self.stack[-1].tag in RAW_DROP:
            return   # script and style text is never part of the report
        line, col = self.getpos()
        start = self.line_starts[line - 1] + col if line - 1 < len(self.line_starts) else -1
        src = self.source
        raw = None
        if start < 0:
            raw = "\x00"         # cannot be placed character by character: all at its start
        elif not src.startswith(data, start):
            end = src.find("<", start + 1)   # html.parser's piece: up to the next "<"
            raw = src[start:len(src) if end < 0 else end]
        self._run().add(data, line, col + 1, raw)
        self._count(len(data))

    def handle_comment(self, data):  # Word's <!--[if gte mso 9]> … <![endif]--> included
        pass

    def unknown_decl(self, data):  # <![if !supportLists]> / <![endif]>
        pass


def parse_html(text: str, max_text: int | None = None) -> Node:
    b = _Builder(text, max_text)
    try:
        b.feed(text)
        b.close()
    except Exception:  # html.parser is lenient; a failure deep in a broken page keeps what was read
        pass
    return b.root


# ---------------------------------------------------------------------------------------
def _is_junk(node: Node) -> bool:
    if node.tag in DROP:
        return True
    if node.tag.startswith("o:") and node.tag != "o:p":
        return True
    style = node.get("style", "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style or "hidden" in node.attrs:
        return True
    return False


def _looks_like_menu(node: Node) -> bool:
    label = " ".join((node.get("class", ""), node.get("id", ""), node.get("role", "")))
    return bool(label.strip()) and bool(JUNK_ATTR.search(label))


def _markers(s: str, markers=()) -> int:
    return sum(1 for m in markers if m in s)


def find_body(root: Node, markers=()) -> Node:
    """The element that holds the report: the deepest one with (nearly) all the markers."""
    body = next((n for n in root.iter() if n.tag == "body"), root)
    total = _markers(body.compact_text(), markers)
    if total < 3:
        return body  # a fragment, not a site page: everything that is not junk is content
    need = max(1, int(total * 0.8 + 0.5))
    best = body
    node = body
    while True:
        nxt = None
        for c in node.children:
            if isinstance(c, Node) and not _is_junk(c) and _markers(c.compact_text(), markers) >= need:
                nxt = c
                break
        if nxt is None:
            break
        best = node = nxt
    return best


def _in_menu(node: Node) -> bool:
    """Inside navigation, a menu or other page furniture (links to other years' reports)."""
    n = node
    while n is not None:
        if n.tag in ("title", "head"):
            return False  # the page's <title> names the page's own report
        if n.tag in ("a", "li", "nav", "select", "option") or _is_junk(n) or _looks_like_menu(n):
            return True
        n = n.parent
    return False


def _title_node(root: Node, body: Node) -> Node | None:
    """A heading (or <title>) outside the body that names the year and 年度报告."""
    if _TITLE.search(body.compact_text()[:300]):
        return None
    cands = []
    for n in root.iter():
        if n is body:
            break
        if n.tag in ("h1", "h2", "h3", "h4", "p", "div", "td", "span", "strong", "title") and not _in_menu(n):
            t = n.compact_text()
            if 6 <= len(t) <= 80 and _TITLE.search(t):
                cands.append(n)
    if cands:
        # the innermost / last such element before the body (page heading nearest the article)
        pref = [n for n in cands if n.tag != "title"]
        return (pref or cands)[-1]
    return None


# ---------------------------------------------------------------------------------------
class _Out:
    """Lines of (char, (line, col)) with HTML whitespace collapsed."""

    def __init__(self, doc: DocumentBuilder, max_chars: int | None = None):
        self.doc = doc
        self.sb = doc.sb
        self.max_chars = max_chars
        self.chars: list[str] = []
        self.pos: list[tuple[int, int]] = []
        self.soft = False
        self.pre = 0          # inside <pre>/<textarea>-like blocks line breaks are kept

    def text(self, run: TextRun):
        for ch, p in run.chars():
            self.char(ch, p)

    def char(self, ch, p):
        if ch == "\n" and self.pre:
            self.flush()
            return
        if ch in WS:
            if self.chars and self.chars[-1] != " ":
                self.chars.append(" ")
                self.pos.append(p)
            return
        if ch == "|" and not self.pre:
            ch = "/"  # a pipe in the text of a cell or paragraph is not a cell boundary
        if self.soft and self.chars and self.chars[-1] != " " and self.chars[-1].isascii() \
                and self.chars[-1].isalnum() and ch.isascii() and ch.isalnum():
            self.chars.append(" ")
            self.pos.append(p)
        self.soft = False
        self.chars.append(ch)
        self.pos.append(p)

    def take(self) -> tuple[str, list]:
        """The collected text (stripped) and positions; resets."""
        s = "".join(self.chars)
        a = len(s) - len(s.lstrip(" "))
        b = len(s.rstrip(" "))
        out = (s[a:b], self.pos[a:b])
        self.chars, self.pos, self.soft = [], [], False
        return out

    def check_length(self, extra: int = 0):
        """The character limit, applied to the text as it is built."""
        if self.max_chars and self.sb.offset + extra > self.max_chars:
            from ..limits import check_chars_so_far
            check_chars_so_far(self.sb.offset + extra, self.max_chars)

    def flush(self, heading: int | None = None):
        s, pos = self.take()
        if s:
            self.check_length(len(s))
            start = self.sb.offset
            self.sb.add_mapped(s, pos)
            self.doc.paragraph(start, self.sb.offset, heading)
            self.sb.newline()


def _walk(node: Node, out: _Out):
    for c in node.children:
        if isinstance(c, TextRun):
            out.text(c)
            continue
        if _is_junk(c) or (_looks_like_menu(c) and _markers(c.compact_text(), out.markers) == 0 and c.tag != "table"):
            continue
        if c.tag == "br":
            out.flush()
            continue
        if c.tag == "table":
            out.flush()
            _table(c, out)
            continue
        block = c.tag in BLOCK or c.tag in ("td", "th")
        if block:
            out.flush()
        out.pre += c.tag == "pre"
        _walk(c, out)
        out.pre -= c.tag == "pre"
        if block:
            out.flush(int(c.tag[1]) if c.tag in _HEADINGS else None)


def _rows(table: Node) -> list[tuple[Node, int, bool]]:
    """The table's rows in display order: (tr, row group number, in <thead>).  ``<thead>``
    rows come first and ``<tfoot>`` rows last, as browsers draw them; rows directly in the
    table (or in an implied tbody) form one group between explicit groups."""
    head: list[tuple[Node, int, bool]] = []
    body: list[tuple[Node, int, bool]] = []
    foot: list[tuple[Node, int, bool]] = []
    group = 0
    loose_group = None

    def collect(node: Node, dest, g, is_head):
        stack = list(reversed(node.children))
        while stack:
            n = stack.pop()
            if not isinstance(n, Node) or _is_junk(n):
                continue
            if n.tag == "tr":
                dest.append((n, g, is_head))
            elif n.tag not in ("table", "td", "th", "thead", "tbody", "tfoot"):
                stack.extend(reversed(n.children))

    for n in table.children:
        if not isinstance(n, Node) or _is_junk(n):
            continue
        if n.tag in ("thead", "tbody", "tfoot"):
            group += 1
            loose_group = None
            dest = head if n.tag == "thead" else foot if n.tag == "tfoot" else body
            collect(n, dest, group, n.tag == "thead")
        elif n.tag == "tr":
            if loose_group is None:
                group += 1
                loose_group = group
            body.append((n, loose_group, False))
        elif n.tag not in ("caption", "colgroup", "col", "table", "td", "th"):
            if loose_group is None:
                group += 1
                loose_group = group
            collect(n, body, loose_group, False)
    return head + body + foot


def _cells(tr: Node) -> list[Node]:
    out = []
    stack = list(reversed(tr.children))
    while stack:
        n = stack.pop()
        if not isinstance(n, Node) or _is_junk(n):
            continue
        if n.tag in ("td", "th"):
            out.append(n)
        elif n.tag not in ("tr", "table"):
            stack.extend(reversed(n.children))
    return out


def _has_nested_table(table: Node) -> bool:
    for n in table.iter():
        if n is not table and n.tag == "table":
            return True
    return False


def _cell_text(node: Node, out: _Out):
    """Inline text of a cell; blocks and <br> inside it are joined without a break."""
    for c in node.children:
        if isinstance(c, TextRun):
            out.text(c)
        elif not _is_junk(c):
            if c.tag == "br" or c.tag in BLOCK:
                out.soft = True
            _cell_text(c, out)
            if c.tag in BLOCK:
                out.soft = True


_LEADING_INT = re.compile(r"\s*(\d+)")
MAX_COLSPAN = 1000      # HTML's own limits
MAX_ROWSPAN = 65534


def _span(node: Node, name: str) -> int:
    """rowspan/colspan as browsers parse it (leading digits; "3px" is 3); rowspan 0 means
    "to the end of the row group" and is returned as 0."""
    m = _LEADING_INT.match(str(node.get(name) or ""))
    if not m:
        return 1
    v = int(m.group(1)[:7])
    if name == "rowspan":
        return min(v, MAX_ROWSPAN)
    return max(1, min(v, MAX_COLSPAN))


def _is_layout(table: Node, rows: list[tuple[Node, int, bool]]) -> bool:
    """A table used for page layout, not data: it holds another table, a heading, or the
    article itself (a cell of more than a thousand characters, or a single column of
    running text).  Its cells are read as ordinary blocks."""
    if _has_nested_table(table):
        return True
    cols = 0
    for tr, _g, _h in rows:
        cells = _cells(tr)
        cols = max(cols, sum(_span(td, "colspan") for td in cells))
        for td in cells:
            if len(td.compact_text()) > 1000:
                return True
            if any(n.tag in _HEADINGS for n in td.iter()):
                return True
    return cols == 1 and len(table.compact_text()) > 300


def _table(table: Node, out: _Out):
    """A data table → a Grid (the HTML table model: each cell at the first free position of
    its row, rowspans covering the rows below within the row group, colspan to the right)
    and one text line ``| c1 | c2 | … |`` per row, each real cell written once."""
    rows = _rows(table)
    if _is_layout(table, rows):
        for tr, _g, _h in rows:
            for td in _cells(tr):
                _walk(td, out)
                out.flush()
        return
    sb = out.sb
    caption = next((c for c in table.children if isinstance(c, Node) and c.tag == "caption"), None)
    if caption is not None:
        _walk(caption, out)
        out.flush()
    group_end: dict[int, int] = {}
    for r, (_tr, g, _h) in enumerate(rows):
        group_end[g] = r + 1
    doc = out.doc
    doc.begin_table("html")
    covered: list[int] = []          # per grid column: first row no longer covered from above
    for r, (tr, g, in_head) in enumerate(rows):
        cells = _cells(tr)
        if not cells:
            continue                 # an empty row is still a row (rowspans above cover it)
        col = 0
        for td in cells:
            while col < len(covered) and covered[col] > r:
                col += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            rs = group_end[g] - r if rs == 0 else min(rs, group_end[g] - r)
            sb.add("| ", td.line, td.col, same_place=True)
            _cell_text(td, out)
            s, pos = out.take()
            out.check_length(len(s))
            start = sb.offset
            if s:
                sb.add_mapped(s, pos)
            doc.cell(r, col, start, sb.offset, rs, cs, header=td.tag == "th" or in_head)
            sb.add(" ", td.line, td.col, same_place=True)
            if len(covered) < col + cs:
                covered.extend([0] * (col + cs - len(covered)))
            for k in range(col, col + cs):
                covered[k] = max(covered[k], r + rs)
            col += cs
        last = cells[-1]
        sb.add("|", last.line, last.col, same_place=True)
        sb.newline()
    doc.end_table()


# ---------------------------------------------------------------------------------------
_NOT_PAGE_TEXT = {"script", "style", "nav", "a", "li", "select", "option", "button", "noscript", "template"}


def _page_text_outside(root: Node, body: Node) -> str:
    """The page's visible text outside the report body and outside menus and link lists
    (where a CMS writes "发布时间：… 来源：…")."""
    parts: list[str] = []
    stack = [root]
    total = 0
    while stack and total < 200_000:
        n = stack.pop()
        if isinstance(n, TextRun):
            parts.append(n.text)
            total += len(n.text)
            continue
        if n is body or n.tag in _NOT_PAGE_TEXT or n.tag == "title":
            continue
        stack.extend(reversed(n.children))
    return " ".join(parts)


def page_meta(root: Node, body: Node, text: str) -> dict:
    """``Document.meta`` of a page (validator/readers/meta.py): publication date, title,
    issuer, modification date — from the report text (span given), the visible page line
    under the title, or the page's <meta> elements."""
    from . import meta as M
    metas: dict[str, str] = {}
    title_el = None
    for n in root.iter():
        if n.tag == "meta":
            key = (n.get("name") or n.get("property") or n.get("itemprop") or "").strip().lower()
            content = " ".join((n.get("content") or "").split())
            if key and content and key not in metas:
                metas[key] = content[:500]
        elif n.tag == "title" and title_el is None:
            title_el = n

    def from_meta(key: str, date: bool = False):
        for name in M.META_NAMES[key]:
            v = metas.get(name)
            if not v:
                continue
            if date:
                v = M.iso_date(v, compact=True)
            if v:
                return v
        return None

    out: dict = {}
    outside = None
    found = M.published_in(text, 0, 3000)
    if found is None:
        outside = _page_text_outside(root, body)
        vis = M.published_in(outside)
        iso = vis[0] if vis else from_meta("published", date=True)
        if iso:
            found = (iso, None)
    if found:
        out["published"] = found
    modified = from_meta("modified", date=True)
    if modified:
        out["modified"] = (modified, None)
    title = from_meta("title")
    if not title and title_el is not None:
        title = M.clean_title(title_el.text_content())
    if title:
        out["title"] = (title, M.find_span(text[:2000], title))
    issuer = from_meta("issuer")
    if not issuer:
        if outside is None:
            outside = _page_text_outside(root, body)
        issuer = M.issuer_in(outside) or from_meta("site")
    if issuer:
        out["issuer"] = (issuer, M.find_span(text, issuer, last=True))
    return out


def declared_charset(data: bytes) -> str | None:
    m = META_CHARSET.search(data[:8192])
    return m.group(1).decode("ascii", "replace") if m else None


def read(data: bytes, name: str, markers: tuple = ()) -> Document:
    """``markers``: words that mark the report's body (the formats' report_words)."""
    from ..limits import current_max_chars
    max_chars = current_max_chars()
    text, enc, bad = decode(data, declared=declared_charset(data))
    root = parse_html(text, 2 * max_chars if max_chars else None)
    body = find_body(root, markers)
    db = DocumentBuilder()
    out = _Out(db, max_chars)
    out.markers = tuple(markers)
    title = _title_node(root, body)
    if title is not None:
        _cell_text(title, out)
        out.flush(1)
    out.pre = int(body.tag == "pre")
    _walk(body, out)
    out.flush()
    doc = db.build(path=name, format="html", encoding=enc, original_lines=text.split("\n"))
    doc.meta.update(page_meta(root, body, doc.text))
    src = doc.source
    if bad:
        # undecodable bytes: point at the U+FFFD character in the HTML source
        lines_start = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                lines_start.append(i + 1)
        import bisect
        marks = {}
        for off, raw in bad:
            ln = bisect.bisect_right(lines_start, off)
            marks[(ln, off - lines_start[ln - 1] + 1)] = (off, raw)
        found = []
        for i in range(len(src.text)):
            lc = src.line_col(i)
            if src.text[i] == "\ufffd" and lc in marks:
                found.append((i, marks.pop(lc)[1]))
        src.notes.extend(bad_byte_notes(src, found))
        # bytes in dropped parts of the page (menus, scripts) do not matter to the report
    return doc
