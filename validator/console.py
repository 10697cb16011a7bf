"""The command line's entry point (``xxgk-lint``, ``python -m validator``): the stored
programs of ``re`` patterns are put in place before anything else is imported
(validator/recache.py), then :func:`validator.cli.entry` runs."""


def run() -> None:
    from . import recache
    recache.install()
    from .cli import entry
    entry()
