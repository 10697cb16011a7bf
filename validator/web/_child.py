"""Entry of a check worker process: `python -m validator.web._child FUNC` (see worker.py)."""

import sys

from .worker import main

if __name__ == "__main__":  # pragma: no cover - runs in the worker process
    sys.exit(main())
