"""Run a Django management command (or a Flask CLI command) inside the function and capture what it prints.

Reached only through the ``{"faas": {"manage": [...]}}`` envelope, i.e. the platform's
authenticated invoke path (``faas manage``), never through a public HTTP route.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import traceback

from faas.adapters.errors import ManageError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from collections.abc import Callable
    from typing import Any

__all__ = ["run_flask_command", "run_management_command"]


def run_management_command(argv: list[str], settings_module: str | None = None) -> dict[str, Any]:
    """Run ``manage.py <argv...>`` and return ``{"exit_status": int, "output": str}``.

    stdout and stderr are captured together, in order, as a terminal would show them. The exit
    status is what ``manage.py`` would exit with: 0, the command's SystemExit code, or 1 for a
    CommandError or an unexpected exception (whose traceback is in the output: the caller is
    the project's operator, not a site visitor).
    """
    if not isinstance(argv, list) or not all(isinstance(arg, str) for arg in argv):
        raise ManageError("manage expects a list of strings, e.g. ['migrate', '--noinput']")
    if settings_module:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    try:
        from django.conf import settings
        from django.core.management import ManagementUtility
    except ImportError as exc:
        raise ManageError("management commands need Django installed in the artifact") from exc
    if not os.environ.get("DJANGO_SETTINGS_MODULE") and not settings.configured:
        raise ManageError("management commands need a Django project (no settings_module)")

    output = io.StringIO()
    status = 0
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as exc:
            code = exc.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
            if isinstance(code, str):
                output.write(code + "\n")
        except Exception:
            status = 1
            traceback.print_exc(file=output)
    return {"exit_status": status, "output": output.getvalue()}


def run_flask_command(argv: list[str], load_app: Callable[[], Any]) -> dict[str, Any]:
    """Run ``flask <argv...>`` for the app (e.g. ``init-db``), as ``flask --app`` would: same result shape.

    ``load_app`` returns the app (the entry, a factory's entry called once more); the commands
    are the app's own (``app.cli``) and those of installed Flask extensions.
    """
    if not isinstance(argv, list) or not all(isinstance(arg, str) for arg in argv):
        raise ManageError("manage expects a list of strings, e.g. ['init-db']")
    try:
        import click
        from flask.cli import FlaskGroup
    except ImportError as exc:
        raise ManageError("Flask commands need Flask installed in the artifact") from exc
    # No .env loading and no debug flag: the function's environment is the deployed one.
    group = FlaskGroup(create_app=load_app, load_dotenv=False, set_debug_flag=False)
    output = io.StringIO()
    status = 0
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            _outside_any_app_context(lambda: group.main(args=argv, prog_name="flask", standalone_mode=False))
        except click.exceptions.Exit as exc:
            status = exc.exit_code
        except click.ClickException as exc:
            exc.show(file=output)
            status = exc.exit_code
        except click.Abort:
            output.write("Aborted!\n")
            status = 1
        except SystemExit as exc:
            code = exc.code
            status = code if isinstance(code, int) else (0 if code is None else 1)
        except Exception:
            status = 1
            traceback.print_exc(file=output)
    return {"exit_status": status, "output": output.getvalue()}


def _outside_any_app_context(call: Callable[[], object]) -> None:
    """Run `call` where no Flask app context is active, and re-raise what it raised.

    Under functions-framework the envelope arrives inside the framework's own Flask request, and
    Flask's CLI uses `current_app` when there is one: the commands would see functions-framework's
    app instead of the user's. Flask keeps its contexts in contextvars, which a new thread starts
    without.
    """
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # handed back to the caller, whose handlers sort it
            raised.append(exc)

    worker = threading.Thread(target=run, name="faas-manage")
    worker.start()
    worker.join()
    if raised:
        raise raised[0]
