"""`datdai …` commands (docs/cli.md). Progress goes to stderr, the result summary to stdout.

Exit codes: 0 success, 2 bad input or usage (the message names what is wrong), 1 internal error.
The commands live in :mod:`datdai.apps.commands` (one module per area, the shared kit in
:mod:`datdai.apps.commands.common`); this module gathers them and runs the application.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import datdai.apps.commands as commands
from datdai.apps.commands.common import app, err, out
from datdai.kernel.errors import DatdaiError

__all__ = ["app", "err", "main", "out"]


# the order of ``datdai --help``: an office's work from first contact to the monthly report
HELP_ORDER = ("demo", "serve", "synth", "check", "imports", "export_c06", "population", "export_gis", "reconcile", "review", "survey",
              "findings", "report", "user", "db", "access_log", "outbox")


def _register_commands() -> None:
    """Each module of :mod:`datdai.apps.commands` attaches its commands to ``app`` when imported."""
    found = {info.name for info in pkgutil.iter_modules(commands.__path__)}
    for name in [*(n for n in HELP_ORDER if n in found), *sorted(found - set(HELP_ORDER))]:
        importlib.import_module(f"datdai.apps.commands.{name}")


_register_commands()


def main() -> None:
    try:
        app(standalone_mode=True)
    except DatdaiError as exc:  # a refusal the user can act on (exit 2); bugs stay tracebacks (1)
        err.print(f"[bold red]Lỗi / error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
