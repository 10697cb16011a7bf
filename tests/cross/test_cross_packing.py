"""What a worker computes for the cross step (validator/cross/run.py Packed, peers.profile,
similarity.units) is what the straightforward code computed, on the real corpus files: the
sections' units (the parser's prose streams reused, the template's wording masked once per
format), their 8-grams, the index's hashes, and the packed model with its source
text pickled once."""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from zlib import crc32

import pytest

from validator.cross import run as cross_run
from validator.cross import similarity as sim
from validator.cross.peers import hashed, profile
from validator.lint import Options, lint_path
from validator.prose import make_stream
from validator.rules import load_rules

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = sorted(str(p) for p in (CORPUS / "reports").glob("*.txt")) + [
    str(CORPUS / "html" / "pingtan_2019.html"), str(CORPUS / "pdf" / "hongzequ_2024.pdf"),
    str(CORPUS / "docx" / "template_2021_blank.docx")]


@pytest.fixture(scope="module")
def reports():
    rules = load_rules()
    return [lint_path(f, Options(), rules).report for f in FILES]


def _old_units(report, plain=False):
    """similarity.units as it was first written: every section's stream joined again, the
    template's wording computed for every report."""
    words = [] if plain else sim.boilerplate(report.format)
    short = {sim._core(w) for w in words}
    out = []
    sig = report.signature
    for sec in report.sections:
        paras = list(sec.paragraphs)
        if sig is not None and sec is report.sections[-1]:
            paras = [p for p in paras if p.span[0] < sig.span[0]]
        st = make_stream(paras, sec)
        offsets = st.pos.expand() if st.pos else range(len(st.text))
        chars, pos = [], []
        if plain:
            for i, ch in enumerate(st.text):
                if ch.isspace() or not ch.isalnum():
                    continue
                chars.append(ch)
                pos.append(offsets[i])
        else:
            for m in re.finditer(r"\S+", st.text):
                chars.append(m.group(0))
                pos.extend(offsets[m.start():m.end()])
        text = "".join(chars)
        if words and text:
            masked = list(text)
            for para in paras:
                core = sim._core(para.text)
                if core and core in short:
                    for k, p in enumerate(pos):
                        if para.span[0] <= p < para.span[1]:
                            masked[k] = sim.MASK_A
            for w in words:
                if len(w) < 6:
                    continue
                start = text.find(w)
                while start >= 0:
                    masked[start:start + len(w)] = sim.MASK_A * len(w)
                    start = text.find(w, start + len(w))
            text = "".join(masked)
        out.append((sec.key or sec.title, text, list(pos), len(text) - text.count(sim.MASK_A)))
    return out


def _old_shingles(text):
    return {text[i:i + 8] for i in range(len(text) - 7) if sim.MASK_A not in text[i:i + 8]}


def _fresh(report):
    report.__dict__.pop("_similarity_units", None)
    report.__dict__.pop("_similarity_units_plain", None)
    return report


@pytest.mark.parametrize("plain", [False, True])
def test_units_are_those_of_joining_and_scanning_every_section_again(reports, plain):
    masked = 0
    for rep in reports:
        got = [(u.key, u.text, list(u.pos), u.countable) for u in sim.units(_fresh(rep), plain=plain)]
        assert got == _old_units(rep, plain), rep.source.path
        masked += sum(t.count(sim.MASK_A) for _k, t, _p, _c in got)
    assert plain or masked > 0             # template wording was masked


def test_units_offsets_are_worked_out_only_when_read(reports):
    """What every checked report goes through (peers.profile) reads the units' texts, not
    their report offsets (sim.Offsets): those are worked out where a passage is placed, and
    are then those of joining and scanning the section again."""
    for rep in reports:
        profile(_fresh(rep))
        got = sim.units(rep)
        assert all(isinstance(u.pos, sim.Offsets) and u.pos._list is None for u in got)
        old = _old_units(rep)
        for u, (_k, text, pos, _c) in zip(got, old):
            assert len(u.pos) == len(pos) and bool(u.pos) == bool(pos)
            if pos:
                assert u.span(0, len(text)) == (pos[0], pos[-1] + 1)
                assert u.pos._list == pos and list(u.pos) == pos and u.pos[-1] == pos[-1]
            else:
                assert u.span(0, 0) == u.heading


def test_units_without_the_parsers_streams_are_the_same(reports):
    for rep in reports:
        with_prose = [(u.key, u.text, list(u.pos)) for u in sim.units(_fresh(rep))]
        saved, rep.prose = rep.prose, None
        try:
            assert [(u.key, u.text, list(u.pos)) for u in sim.units(_fresh(rep))] == with_prose
        finally:
            rep.prose = saved
            _fresh(rep)


def test_units_reuse_the_parsers_stream_of_each_section(reports, monkeypatch):
    calls = []
    monkeypatch.setattr(sim, "make_stream", lambda *a, **k: calls.append(a) or make_stream(*a, **k))
    for rep in reports:
        sim.units(_fresh(rep))
    assert calls == []


def test_shingles_are_the_8_grams_without_a_masked_character(reports):
    n = 0
    for rep in reports:
        for u in sim.units(_fresh(rep)):
            assert sim.shingles_of(u.text) == _old_shingles(u.text)
            n += len(u.shingles())
    assert n > 10_000
    assert sim.shingles_of("ab\x01cdefghijk\x01" + "x" * 9) == {"cdefghij", "defghijk", "x" * 8}


def _gram_bytes(gram: str) -> bytes:
    """What peers.hashed hashes of an 8-gram: its UTF-16-LE bytes when every character is one
    UTF-16 unit, else its UTF-32-LE bytes."""
    b = gram.encode("utf-16-le", "surrogatepass")
    return b if len(b) == 16 else gram.encode("utf-32-le", "surrogatepass")


def test_index_hashes_are_the_crc32_of_each_distinct_8_gram(reports):
    for rep in reports:
        units = [u for u in sim.units(_fresh(rep)) if u.countable]
        secs = profile(rep)
        assert [s.key for s in secs] == [u.key for u in units]
        for s, u in zip(secs, units):
            sh = _old_shingles(u.text)
            assert s.n == len(sh)
            assert len(set(s.hashes)) == len(s.hashes)
            assert sorted(s.hashes) == sorted({crc32(_gram_bytes(x)) for x in sh})


@pytest.mark.parametrize("text", [
    "一二三四五六七八九十一二三四五六七八",                       # one UTF-16 unit a character
    "𠀀一二三四五六七𠀁八九十一二三四五六七𠀀一二三四五六七",     # characters beyond U+FFFF
    "\ud840\udc00一二三四五六七\ud840八九十一二三四五六七𠀀一二三四五六七",  # lone surrogates, and the pair that looks like 𠀀
    "ab\x01cdefghijk\x01" + "x" * 9 + "\x01𠀀bcdefghi",                    # masked characters
    "一二三四五六七八一二三四五六七八一二三四五六七八",               # repeated 8-grams
    "一二三四五六七八\x01一二三四五六七八𠀀",                          # one 8-gram in runs of both kinds
])
def test_index_counts_and_hashes_every_distinct_8_gram_whatever_its_characters(text):
    """n is the number of distinct 8-gram strings (what the screen divides by), beyond U+FFFF
    and with lone surrogates too; the hashes are distinct and in the order of the text."""
    n, hashes = hashed(text)
    sh = _old_shingles(text)
    assert n == len(sh)
    first = {}
    for i in range(len(text) - 7):
        g = text[i:i + 8]
        if sim.MASK_A not in g:
            first.setdefault(crc32(_gram_bytes(g)), i)
    assert list(hashes) == sorted(first, key=first.get)
    assert hashed(text) == hashed(text[:])          # equal texts, equal arrays


def test_template_masks_are_computed_once_per_format_object(reports):
    from validator.templates import load_formats
    formats = list(load_formats().values())
    assert len(formats) >= 2
    for fmt in formats:
        words, short = sim._masks(fmt)
        assert words == sim.boilerplate(fmt) and short == {sim._core(w) for w in words}
        assert sim._masks(fmt)[0] is words                  # the same object: not computed again
    a, b = formats[:2]
    assert sim._masks(a)[0] != sim._masks(b)[0]             # one format's wording is not another's
    import copy
    twin = copy.deepcopy(a)
    twin.sections = twin.sections[:1]
    assert sim._masks(twin)[0] == sim.boilerplate(twin) != sim._masks(a)[0]


def test_packed_model_keeps_the_source_text_and_lines(reports):
    for rep in reports:
        p = cross_run.Packed(rep)
        m = p.load()
        for k in ("text", "raw", "original_lines", "path", "format", "encoding", "notes"):
            assert getattr(m.source, k) == getattr(rep.source, k), (rep.source.path, k)
        assert "_lines_split" not in m.__dict__
        assert m.source.original_line(3) == rep.source.original_line(3)


def test_packed_text_report_holds_its_text_once():
    rules = load_rules()
    rep = lint_path(str(CORPUS / "reports" / "010_hongzequ_2024.txt"), Options(), rules).report
    assert rep.source.original_lines and "\n".join(rep.source.original_lines) == rep.source.raw
    lean = pickle.dumps(cross_run._lean(cross_run.portable(rep)))
    full = pickle.dumps(cross_run.portable(rep))
    assert len(full) - len(lean) >= len(rep.source.raw.encode("utf-8")) * 0.9


def test_the_batch_is_frozen_for_the_gc_while_pairs_are_compared_and_thawed_after(monkeypatch):
    import gc

    from validator.runner import check_one
    files = [str(CORPUS / "reports" / n) for n in ("009_hongzequ_2023.txt", "010_hongzequ_2024.txt")]
    results = [check_one((f, Options(), True)) for f in files]
    rules = load_rules()
    seen = []
    real = cross_run.check_pair

    def spy(*a, **k):
        seen.append(gc.get_freeze_count())
        return real(*a, **k)

    monkeypatch.setattr(cross_run, "check_pair", spy)
    assert gc.get_freeze_count() == 0
    cross_run.cross_check(results, lambda p: (Options(), {}, rules), peers=True, jobs=1)
    assert seen and min(seen) > 0               # the results were frozen while compared
    assert gc.get_freeze_count() == 0           # … and are collectable again afterwards


def test_packed_models_are_zstandard_frames_that_load_back_equal(reports):
    """The worker packs each model with Zstandard (the fast codec, not the zlib fallback), and
    what the batch step unpacks is the model as it was: its text, sections, cells and units."""
    from validator.extract import template_cells
    for rep in reports:
        p = cross_run.Packed(rep)
        assert p.data[:4] == b"\x28\xb5\x2f\xfd"           # a Zstandard frame's magic number
        m = p.load()
        assert m.source.text == rep.source.text
        assert [s.title for s in m.sections] == [s.title for s in rep.sections]
        assert template_cells(m) == template_cells(rep)
        assert [(u.key, u.text, u.pos) for u in sim.units(m)] == [(u.key, u.text, u.pos) for u in sim.units(rep)]


def test_a_paragraph_s_core_is_only_worked_out_whole_when_it_can_be_a_template_label(reports):
    """similarity._core_within gives _core, or None only when that is longer than `most`
    characters (seen from the start of a long paragraph), so a template label's paragraph is
    always found: every paragraph of the reports, and paragraphs of punctuation or spaces
    around a label, at several bounds; long paragraphs of the reports are cut short."""
    texts = [p.text for rep in reports for s in rep.sections for p in s.paragraphs]
    label = "主动公开政府信息情况"
    texts += ["", "（一）" + label, "。" * 200 + label, label + "，" * 300, " " * 500 + label + " " * 500,
              "1." + "、" * 40 + label * 3, "二、" + "_" * 90 + label]
    assert len(texts) > 100
    cut = 0
    for most in (1, 5, len(label), 30, 200):
        for t in texts:
            core = sim._core(t)
            got = sim._core_within(t, most)
            assert got == core or (got is None and len(core) > most), (most, t[:40])
            cut += got is None
    assert cut > 50
