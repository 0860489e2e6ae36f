"""A small project whose app reports on the process serving it: pid, Python, sys.path, imports."""

from __future__ import annotations

from pathlib import Path

from faas.core.config import Project, load_project

APP = """
import json, os, sys, time

VERSION = "{version}"


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    query = dict(part.split("=", 1) for part in environ.get("QUERY_STRING", "").split("&") if "=" in part)
    marker = os.environ.get("PROBE_DIR")
    if marker and path in ("/sleep", "/crash"):
        with open(os.path.join(marker, path.strip("/") + ".pid"), "w") as handle:
            handle.write(str(os.getpid()))
    if path == "/sleep":
        time.sleep(float(query.get("s", "1")))
    if path == "/crash":
        os._exit(3)
    if path == "/print":
        print("probe says hello", flush=True)
    if path == "/boom":
        raise RuntimeError("boom")
    body = {{
        "version": VERSION,
        "pid": os.getpid(),
        "python": "%d.%d" % sys.version_info[:2],
        "sys_path": sys.path,
        "has_faas_core": _importable("faas.core"),
        "has_pydantic": _importable("pydantic"),
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "greeting": os.environ.get("GREETING"),
    }}
    data = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [data]


def _importable(name):
    try:
        __import__(name)
    except ImportError:
        return False
    return True
"""

TASKS = """
def tick(event, context):
    return {{"version": "{version}", "source": event.get("source"), "resources": event.get("resources")}}
"""


def write_probe(
    root: Path,
    *,
    version: str = "1",
    options: str = "",
    timeout: int = 2,
    schedule: str = "rate(1 hour)",
    stage: str = "dev",
    python: str = "3.12",
    environment: str = "",
) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(APP.format(version=version))
    (root / "tasks.py").write_text(TASKS.format(version=version))
    (root / "requirements.txt").write_text("")
    (root / "faas.toml").write_text(
        f'name = "probe"\nprovider = "aws"\npython = "{python}"\n'
        f'[app]\nentry = "app:application"\ninterface = "wsgi"\ntimeout = {timeout}\n'
        f'[app.environment]\nPROBE_DIR = "{root}"\n{environment}'
        f'[[functions]]\nname = "tick"\nentry = "tasks:tick"\ntriggers = [{{ schedule = "{schedule}" }}]\n'
        f"[providers.local]\npool_size = 3\n{options}"
    )
    return load_project(root / "faas.toml", stage)
