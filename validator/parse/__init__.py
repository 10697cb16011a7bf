"""parse: a Document → the report model.

``segment`` (blocks → tokens: headings, prose, table pieces), ``mapper`` (any grid → the
template's cells), ``lexer`` (the line lexer for text outside grids and tables in page text),
``splitter`` (run-together digits), ``grammar`` (the statutory structure generated from
rules/formats/*.yaml, with an error-tolerant driver), ``build`` (the parse to the model),
``metadata`` (year, format, title, issuer, dates).  Nothing here knows a rule id.
"""

from __future__ import annotations

from .build import parse, report_grammar, report_parser  # noqa: F401
from .metadata import choose_format, detect_year  # noqa: F401
from .splitter import SplitResult, split_run_together  # noqa: F401
