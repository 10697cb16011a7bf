"""Kinds of what the readers noticed while turning a file into text (rules/readers.yaml).

  reader_notes   reader notes of one kind (``note:``): undecodable-bytes, no-text-layer,
                 page-unreadable …

Readers name their notes by what they are, never by a rule id; this kind turns the notes of
its ``note`` kind into findings at the note's place in the original file.
"""

from __future__ import annotations

from ..schema import Param, Str
from . import register


@register("reader_notes", "notes", params=[
    Param("note", Str(one_line=True, max_len=60, pattern=r"[a-z][a-z0-9-]*"), required=True,
          doc="读取程序的提示种类（如 undecodable-bytes、no-text-layer、page-unreadable）",
          doc_en="the kind of reader note (undecodable-bytes, no-text-layer, page-unreadable …)"),
], doc="""读取文件时发现的问题（无法解码的字节、没有文字层的PDF页、无法读取的页……），记在原文件中的位置。""",
   doc_en="""What a reader noticed while reading the file (bytes that fit no encoding, a PDF page with no
text layer, a page that could not be read …), at its place in the original file.""")
def run_reader_notes(rule, ctx):
    for note, span, location in ctx.reader_notes(rule.params["note"]):
        f = ctx.emit(rule, span, {"detail": note.message, **note.args, "detail_en": _detail_en(note)})
        if location is not None:
            f.location = location
        yield f


def _detail_en(note) -> str:
    """The reader's description of the place, in English (from the note's arguments)."""
    a = note.args or {}
    if "page" in a:
        return f"PDF page {a['page']}"
    if "pages" in a:
        if a.get("only"):
            return "The PDF"
        pages = str(a["pages"]).replace("、", ", ")
        return f"PDF page{'s' if a.get('count', 1) != 1 else ''} {pages}"
    return note.message
