"""`python -m faas.core.cli`: the same as the `faas` console script."""

from __future__ import annotations

from faas.core.cli.main import main

main()
