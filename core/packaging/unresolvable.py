"""Say why a requirement cannot be had, in the user's terms, before "has no wheel" is assumed.

pip reports one line, "No matching distribution found for X", for three different mistakes: a
name the index does not know (usually a typo), a version that was never published, and a release
whose files do not fit the function's platform. Each needs a different fix, so each gets its own
message; only the last one is about wheels (resolve.py keeps that message).
"""

from __future__ import annotations

import bisect
import difflib
import importlib.metadata
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from faas.core.packaging import wheels

# Names people deploy most often, for a did-you-mean when the packaging machine has none of them
# installed. Never a download of the index's list of every name: that is tens of megabytes on PyPI.
WELL_KNOWN = (
    "aiohttp",
    "attrs",
    "azure-functions",
    "azure-storage-blob",
    "beautifulsoup4",
    "boto3",
    "botocore",
    "celery",
    "certifi",
    "click",
    "cryptography",
    "dj-database-url",
    "django",
    "django-storages",
    "djangorestframework",
    "fastapi",
    "flask",
    "google-cloud-storage",
    "gunicorn",
    "httpx",
    "jinja2",
    "lxml",
    "mangum",
    "marshmallow",
    "numpy",
    "openai",
    "orjson",
    "pandas",
    "pillow",
    "psycopg",
    "psycopg2-binary",
    "pydantic",
    "pyjwt",
    "python-dateutil",
    "python-dotenv",
    "pytz",
    "pyyaml",
    "redis",
    "requests",
    "scikit-learn",
    "scipy",
    "sqlalchemy",
    "starlette",
    "stripe",
    "urllib3",
    "uvicorn",
    "werkzeug",
    "whitenoise",
)
_NEAREST_SHOWN = 5


def explain(requirement: Requirement, listing: wheels.IndexListing, find_links: Iterable[str]) -> str | None:
    """The message for a name the index does not know or a version it never had; None otherwise."""
    return _unknown_name(requirement, listing, find_links) or _missing_version(requirement, listing.files)


def _unknown_name(requirement: Requirement, listing: wheels.IndexListing, find_links: Iterable[str]) -> str | None:
    if listing.known is not False or _in_find_links(requirement.name, find_links):
        return None
    message = f"{requirement.name} is not found on the index {wheels.shown_index_url()}"
    suggestion = _close_name(requirement.name)
    if suggestion is not None:
        message += f" (did you mean {suggestion}?)"
    return message + "; check the spelling in your requirements, or the index-url (PIP_INDEX_URL) if it is private"


def _missing_version(requirement: Requirement, files: list[wheels.IndexFile]) -> str | None:
    if not files or not requirement.specifier:
        return None
    versions = sorted({file.version for file in files})
    if any(requirement.specifier.contains(version, True) for version in versions):
        return None
    reference = _reference_version(requirement)
    shown = _nearest(versions, reference)
    latest = max((version for version in versions if not version.is_prerelease), default=versions[-1])
    return (
        f"{requirement.name} has no version {requirement.specifier} on the index {wheels.shown_index_url()}; "
        f"the nearest available: {', '.join(map(str, shown))} (latest {latest})"
    )


def _in_find_links(name: str, find_links: Iterable[str]) -> bool:
    """Whether a local --find-links folder holds a file of `name` (pip looked there too)."""
    key = canonicalize_name(name)
    for link in find_links:
        folder = Path(link)
        if "://" in link or not folder.is_dir():
            continue
        for path in folder.iterdir():
            stem = path.name.split("-", 1)[0]
            if canonicalize_name(stem) == key:
                return True
    return False


def _close_name(name: str) -> str | None:
    """The closest known name that the index really has (one more index request, for the best guess)."""
    known: set[str] = {canonicalize_name(dist.metadata["Name"] or "") for dist in importlib.metadata.distributions()}
    known |= set(WELL_KNOWN)
    known.discard("")
    key = canonicalize_name(name)
    for candidate in difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.75):
        if candidate != key and wheels.index_listing(candidate).known:
            return candidate
    return None


def _reference_version(requirement: Requirement) -> Version | None:
    """The version the user had in mind: the one their specifier names (`==4.2.99`, `>=9`, `~=1.4`)."""
    for specifier in requirement.specifier:
        try:
            return Version(specifier.version.rstrip(".*"))
        except InvalidVersion:
            continue
    return None


def _nearest(versions: list[Version], reference: Version | None) -> list[Version]:
    """Up to five published versions around `reference` (final releases unless it is a pre-release)."""
    wanted_pre = reference is not None and reference.is_prerelease
    pool = [version for version in versions if wanted_pre or not version.is_prerelease] or versions
    if reference is None:
        return pool[-_NEAREST_SHOWN:]
    middle = bisect.bisect_left(pool, reference)
    start = max(0, min(middle - _NEAREST_SHOWN // 2, len(pool) - _NEAREST_SHOWN))
    return pool[start : start + _NEAREST_SHOWN]
