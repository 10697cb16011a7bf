"""`xxgk-lint audit`: check many reports into a dataset (issue 15).

* :mod:`.work` — one report → one record (report row, findings, template cells); runs in the
  CLI process (``--jobs 1``) or in Dask workers;
* :mod:`.status` — the report's status (通过 / 有错误 / 未填写 / 非年报 / 无法读取);
* :mod:`.store` — the SQLite database (resumable by content hash) and its Parquet export;
* :mod:`.engine` — where the work runs: in this process, a Dask ``LocalCluster`` of ``--jobs``
  processes, or a Dask cluster at ``--cluster tcp://…``;
* :mod:`.summary` — the reviewer's summary (CSV, XLSX, self-contained HTML with SVG charts);
* :mod:`.command` — the command line.

Reads only the model and the findings (``validator.lint.lint_path`` → Result).  Dask, pyarrow
and openpyxl are imported only when an audit needs them (the ``audit`` extra).
"""
