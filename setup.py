"""Package discovery for the faas layout (the metadata lives in pyproject.toml).

The repository keeps core/, providers/ and adapters/ at the top level, installed as faas.core,
faas.providers and faas.adapters; pyproject maps the roots, this finds every subpackage below them
so that a new folder with an __init__.py ships without anyone editing a list.
"""

from __future__ import annotations

from setuptools import find_packages, setup

ROOTS = {"core": "faas.core", "providers": "faas.providers", "adapters": "faas.adapters"}


def faas_packages() -> list[str]:
    packages = ["faas"]
    for folder, dotted in ROOTS.items():
        packages.append(dotted)
        # core/api is the root `faas` package itself, not a faas.core subpackage.
        found = find_packages(folder, exclude=["api", "api.*"])
        packages.extend(f"{dotted}.{name}" for name in found)
    return packages


setup(packages=faas_packages())
