#!/usr/bin/env bash
# Set up a virtual environment from the project's own files and run the whole test suite.
# Used by the README ("run the tests") and by .ci/run.  Exit non-zero on failure and when
# no test was collected.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# setuptools warns on every editable install of a project whose package folders are mapped
# (grammar/ and rules/ ship as validator/_grammar, validator/_rules): "Editable installation.
# Please be careful with folders …".  Known and harmless here; silenced so that real
# warnings stand out.
# the fuzz extra (atheris) where it installs; without it the bounded fuzz run is hypothesis only
export PYTHONWARNINGS="ignore:Editable installation"
.venv/bin/python -m pip install -q -e '.[test,audit,fuzz]' 2>/dev/null || .venv/bin/python -m pip install -q -e '.[test,audit]'
unset PYTHONWARNINGS
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
if [ "$code" -eq 5 ]; then
  echo "no tests were collected: failing" >&2
  exit 1
fi
exit "$code"
