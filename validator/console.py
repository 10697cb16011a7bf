"""The command line's entry point (``xxgk-lint``, ``python -m validator``): the stored
programs of ``re`` patterns (validator/recache.py) and the compiled code of the data classes'
methods (validator/dccache.py) are put in place before anything else is imported, then
:func:`validator.cli.entry` runs."""


def run() -> None:
    from . import dccache, recache
    recache.install()
    dccache.install()
    from .cli import entry
    entry()
