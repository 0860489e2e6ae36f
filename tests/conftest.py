"""Settings shared by the whole suite."""

from __future__ import annotations

import os

from hypothesis import settings

# CI must answer the same on every run of the same commit: there, property tests draw a fixed
# sequence of examples. Anywhere else they draw fresh ones, which is how new bugs are found
# (a cron that never fires was found that way); a failure prints the example to turn into a test.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
