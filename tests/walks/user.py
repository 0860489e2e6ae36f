"""What a new user does in a walk: run the installed `faas` command in the project, browse over HTTP.

Shared by the walks in tests/walks/: every step goes through the real command line and real HTTP,
never through faas's Python API.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

FAAS = Path(sys.executable).parent / "faas"


def faas(project: Path, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `faas` command in the project, as the user does; fail with its output."""
    result = subprocess.run(
        [str(FAAS), *arguments],
        cwd=project,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"faas {' '.join(arguments)}: {result.stdout}\n{result.stderr}"
    return result


def deployed_url(project: Path, env: dict[str, str] | None = None) -> str:
    status = json.loads(faas(project, "status", "--json", env=env).stdout)
    assert status["deployed"] is True
    return str(status["url"])


def assert_gone(project: Path, url: str) -> None:
    """After `faas undeploy`: no local state for the stage, and nothing answers on the URL."""
    assert not (project / ".faas" / "local" / "dev").exists()
    try:
        urllib.request.urlopen(url + "/", timeout=5)
    except OSError:
        return
    raise AssertionError(f"{url} still answers after faas undeploy")


class Browser:
    """urllib with a cookie jar: what a browser keeps between a login page and the pages after it."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str, bytes, str]:
        """(status, content type, body, final URL) after redirects; error statuses too."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=60) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read(), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read(), url

    def page(self, url: str, data: dict[str, str] | None = None) -> bytes:
        """The page at `url` (after redirects), which must answer 200."""
        status, _, body, _ = self.request(url, data)
        assert status == 200, (url, status, body[:2000])
        return body
