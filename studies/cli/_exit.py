"""The one way a `tunetrack` command ends: clean exit codes, one-line errors, secrets masked.

* a stop signal (SIGINT, SIGTERM, SIGHUP) ends the command cleanly, then exits 128 + signal
  number (see `studies.signals`);
* a store or connection failure, a refused setting and any tunetrack error print one line
  naming the setting (credentials masked) and exit 2; so does running out of memory;
* anything else is a bug: its traceback is printed, with credentials masked, and exits 1.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, NoReturn

from studies import signals

USAGE_ERROR = 2
BUG = 1


def _one_line(message: str) -> None:
    from tracker.redaction import redact_text

    print(f"error: {redact_text(message)}", file=sys.stderr, flush=True)


def _store_error(exc: BaseException) -> str | None:
    """One line for a store failure that escaped the stores' own checks (a store that went away later)."""
    name = type(exc).__name__
    module = type(exc).__module__
    if module.startswith(("sqlalchemy", "psycopg", "sqlite3")) and name in (
            "OperationalError", "InterfaceError", "DatabaseError"):
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[:1]
        return (f"a store did not answer ({name}: {first[0] if first else ''}); check studies.storage and "
                "tracking.uri (TUNETRACK_STUDIES__STORAGE, TUNETRACK_TRACKING__URI)")
    return None


def run(app: Any) -> NoReturn:
    """Run the Typer `app` and leave with the documented exit code."""
    from tracker import TunetrackError
    from tracker.redaction import install_log_redaction

    signals.install()
    install_log_redaction()
    code: Any = 0
    try:
        result = app(standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:
        code = signals.exit_code()
    except MemoryError:
        _one_line("out of memory; use a smaller instance (see solvers/limits.py for the size limits)")
        code = USAGE_ERROR
    except TunetrackError as exc:
        _one_line(str(exc).replace("\n", " ").replace("  ", " "))
        code = USAGE_ERROR
    except Exception as exc:  # noqa: BLE001 - the one place a command's failure becomes an exit code
        if type(exc).__name__ == "Abort":  # click's (Typer's) form of KeyboardInterrupt
            code = signals.exit_code()
        elif hasattr(exc, "show") and hasattr(exc, "exit_code"):  # a usage error: click prints it
            exc.show()
            code = exc.exit_code
        elif (line := _store_error(exc)) is not None:
            _one_line(line)
            code = USAGE_ERROR
        else:
            from tracker.redaction import redact_text

            print(redact_text("".join(traceback.format_exception(exc))), file=sys.stderr, flush=True)
            code = BUG
    signals.ignore()  # winding down: a late signal must not interrupt the flush or the shutdown
    if signals.received() is not None:
        code = signals.exit_code()
    try:
        from tracker import flush_tracking

        flush_tracking()
    except Exception:  # noqa: BLE001 - leftovers stay in the spool for the next command
        pass
    sys.exit(code)
