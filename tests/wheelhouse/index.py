"""The wheelhouse served as a package index (PEP 691 JSON, PEP 503 HTML) on a loopback port."""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import threading
import urllib.error
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from .lock import UPSTREAM, Lock, add_to_lock, project_of

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def listing_path(house: Path, project: str) -> Path:
    return house / "listings" / f"{canonicalize_name(project)}.json"


def file_path(house: Path, filename: str) -> Path:
    return house / "files" / filename


def fetch_listing(house: Path, project: str) -> bool:
    """Save PyPI's listing of `project`; False when PyPI has no such project (404)."""
    request = urllib.request.Request(f"{UPSTREAM}/{canonicalize_name(project)}/", headers={"Accept": JSON_TYPE})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise
    target = listing_path(house, project)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(body)
    partial.replace(target)
    return True


def fetch_file(house: Path, filename: str, sha256: str | None = None) -> str:
    """Download `filename` as PyPI's listing of its project names it; returns its sha256, checked."""
    listing = json.loads(listing_path(house, project_of(filename)).read_text())
    entry = next((item for item in listing["files"] if item["filename"] == filename), None)
    if entry is None:
        raise LookupError(f"PyPI's listing of {project_of(filename)} has no {filename}")
    expected = sha256 or entry["hashes"]["sha256"]
    target = file_path(house, filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    digest = hashlib.sha256()
    with urllib.request.urlopen(entry["url"], timeout=300) as response, partial.open("wb") as out:
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected:
        partial.unlink()
        raise ValueError(f"{filename}: sha256 {digest.hexdigest()} is not the locked {expected}")
    partial.replace(target)
    return expected


class PackageIndex:
    """Serves the locked files; with `record`, fetches and locks what it misses (never in CI)."""

    def __init__(self, house: Path, lock: Lock, record: bool = False) -> None:
        self.house = house
        self.lock = lock
        self.record = record
        self.misses: list[str] = []
        self._fetching = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/simple"
        self._thread = threading.Thread(target=self._server.serve_forever, name="package-index", daemon=True)

    def start(self) -> PackageIndex:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take_misses(self) -> list[str]:
        taken = list(self.misses)
        self.misses.clear()
        return taken

    def _miss(self, what: str) -> None:
        self.misses.append(what)
        with (self.house / "misses.txt").open("a") as log:
            log.write(what + "\n")

    def listing(self, project: str) -> list[dict[str, Any]] | None:
        """The files of `project` as PyPI listed them at the cutoff; None when the index has no such name."""
        name = str(canonicalize_name(project))
        if name in self.lock.absent:
            return None
        path = listing_path(self.house, name)
        known = name in self.lock.listings and path.exists()
        if not known and self.record:
            with self._fetching:
                if not fetch_listing(self.house, name):
                    add_to_lock(absent=name)
                    self.lock.absent.add(name)
                    return None
                add_to_lock(project=name)
                self.lock.listings.add(name)
            known = True
        if not known:
            self._miss(f"listing {name}")
            return None
        files = json.loads(path.read_text())["files"]
        return [item for item in files if self._listed_at_cutoff(item)]

    def _listed_at_cutoff(self, item: dict[str, Any]) -> bool:
        uploaded = item.get("upload-time")
        return uploaded is None or datetime.fromisoformat(uploaded) <= self.lock.cutoff

    def file(self, filename: str) -> Path | None:
        path = file_path(self.house, filename)
        if filename in self.lock.files and path.exists():
            return path
        if self.record:
            with self._fetching:
                if not path.exists():
                    sha256 = fetch_file(self.house, filename)
                else:
                    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
                add_to_lock(filename, sha256)
                self.lock.files[filename] = sha256
            return path
        self._miss(f"file {filename}")
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = [part for part in self.path.split("?", 1)[0].split("/") if part]
                if len(parts) == 2 and parts[0] == "simple":
                    self._project(parts[1])
                elif len(parts) == 2 and parts[0] == "files":
                    self._file(parts[1])
                else:
                    self.send_error(404)

            def _project(self, project: str) -> None:
                files = index.listing(project)
                if files is None:
                    self.send_error(404, f"no project {project}")
                    return
                base = f"http://127.0.0.1:{index._server.server_address[1]}/files/"
                served = [
                    {
                        "filename": item["filename"],
                        "url": base + item["filename"],
                        "hashes": {"sha256": item["hashes"]["sha256"]},
                        "requires-python": item.get("requires-python"),
                        "yanked": item.get("yanked", False),
                        "upload-time": item.get("upload-time"),
                    }
                    for item in files
                ]
                if JSON_TYPE in (self.headers.get("Accept") or ""):
                    page = {"meta": {"api-version": "1.1"}, "name": str(canonicalize_name(project)), "files": served}
                    self._send(json.dumps(page).encode(), JSON_TYPE)
                else:
                    self._send(_html_page(project, served).encode(), "text/html; charset=utf-8")

            def _file(self, filename: str) -> None:
                try:
                    path = index.file(filename)
                except (OSError, LookupError, ValueError) as error:
                    self.send_error(502, f"fetching {filename} failed: {error}")
                    return
                if path is None:
                    self.send_error(404, f"{filename} is not in the suite's lock (tests/wheelhouse/lock.txt)")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(path.stat().st_size))
                self.end_headers()
                with path.open("rb") as source:
                    shutil.copyfileobj(source, self.wfile)

            def _send(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _html_page(project: str, files: list[dict[str, Any]]) -> str:
    links = []
    for item in files:
        attributes = f'href="{html.escape(item["url"])}#sha256={item["hashes"]["sha256"]}"'
        if item.get("requires-python"):
            attributes += f' data-requires-python="{html.escape(item["requires-python"])}"'
        if item.get("yanked"):
            reason = item["yanked"] if isinstance(item["yanked"], str) else ""
            attributes += f' data-yanked="{html.escape(reason)}"'
        links.append(f"<a {attributes}>{html.escape(item['filename'])}</a><br>")
    return f"<!DOCTYPE html><html><body><h1>{html.escape(project)}</h1>{''.join(links)}</body></html>"
