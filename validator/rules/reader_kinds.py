"""Rule kinds for what the readers noticed while turning a file into text.

  reader_notes    reader notes of one kind (``note:``): undecodable-bytes, no-text-layer,
                  page-unreadable …

Readers put :class:`~validator.source.ReaderNote` objects into ``SourceText.notes``, named
by what they are, never by a rule id; this kind turns the notes of its ``note`` kind into
findings at the note's position in the original file.
"""

from __future__ import annotations

from ..source import ReaderNote
from .kinds import Ctx, register


def _norm_offset(src, note: ReaderNote) -> int:
    """The offset in the normalised text of the character the note points at."""
    n = len(src.text)
    off = max(0, min(note.offset, n))
    loc = note.location
    if loc is None:
        return off
    want = (loc.line, loc.column)
    if src.line_col(off) == want:
        return off
    # normalisation changed lengths (繁→简 phrase conversion): find the character again
    for i in range(n + 1):
        if src.line_col(i) == want and src.location(i).page == loc.page:
            return i
    return off


@register("reader_notes", required=("note",))
def run_reader_notes(rule, ctx: Ctx):
    """Reports what a reader noticed while reading the file (bytes that fit no encoding, a PDF
    page with no text layer …) at its place in the original file."""
    src = ctx.src
    for note in src.notes:
        if not isinstance(note, ReaderNote) or note.kind != rule.params["note"]:
            continue
        off = _norm_offset(src, note)
        end = min(off + 1, len(src.text)) if src.text else off
        f = ctx.emit(rule, (off, end), {"detail": note.message, **note.args, "detail_en": _detail_en(note)})
        if note.location is not None:
            f.location = note.location
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
