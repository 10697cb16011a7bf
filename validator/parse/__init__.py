"""parse: a Document → the report model.

Segmenting, label spotting, the grammar generated from the formats, the table mapper,
metadata and digit splitting live here; nothing here knows a rule id.
"""

from __future__ import annotations

from .build import choose_format, detect_year, parse, report_parser  # noqa: F401
from .splitter import SplitResult, split_run_together  # noqa: F401
