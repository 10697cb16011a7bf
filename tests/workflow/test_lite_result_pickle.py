"""A checked file's result crosses a worker's pipe as one flat tuple (LiteResult.__reduce__):
what comes out of the pipe is the result that went in — path, findings, error, the report's
template and year, the source's encoding, format and lines, the model kept for comparing."""

from __future__ import annotations

import pickle

from validator.i18n import msg
from validator.lint import Options
from validator.runner import LiteResult, check_one

from .conftest import CORPUS, SEED


def _state(r):
    """Everything a LiteResult holds, as plain values."""
    rep, src = r.report, r.source
    return (type(r), sorted(vars(r)), r.path, [f.to_dict() for f in r.findings], r.error, r.fatal,
            None if r.cross is None else pickle.dumps(r.cross),
            None if rep is None else (type(rep), sorted(vars(rep)), rep.template, rep.template_reason,
                                      type(rep.metadata), vars(rep.metadata)),
            None if src is None else (type(src), vars(src), [src.original_line(n) for n in range(0, 40)]))


def test_a_result_comes_out_of_the_pipe_as_it_went_in():
    results = [check_one((str(SEED), Options())),                              # findings, lines kept
               check_one((str(SEED), Options(english=False), True, False, False)),   # model kept, no lines
               check_one((str(CORPUS / "reports" / "009_hongzequ_2023.txt"), Options())),
               check_one((str(CORPUS / "no-such-file.txt"), Options())),     # a read error
               LiteResult("x.txt", [], error=msg("坏", "bad"), fatal=True),
               LiteResult("y.txt", [])]
    assert results[0].findings and results[1].cross is not None and results[3].error
    for r in results:
        for proto in (4, pickle.HIGHEST_PROTOCOL):
            back = pickle.loads(pickle.dumps(r, protocol=proto))
            assert _state(back) == _state(r)
    back = pickle.loads(pickle.dumps(results[0]))
    assert back.report.metadata.year == results[0].report.metadata.year and back.source.original_lines
