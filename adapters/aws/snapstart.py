"""Lambda SnapStart: what the adapter does around a snapshot (``[providers.aws] snap_start = true``).

With SnapStart, init (the app's import) runs once per published version; every execution
environment then resumes from a snapshot of that memory. So everything init made is shared by
all of them: the `random` module's state (the same "random" numbers in every instance), open
sockets (a database connection the snapshot froze is dead after restore).

The runtime's own hooks (awslambdaric's ``snapshot_restore_py``) run:
- before the snapshot: close Django's database connections (reopened on first use), so nothing
  open is frozen into the snapshot;
- after each restore: re-seed `random` from the OS, so instances do not share a sequence.
Registered first, ours run last before the snapshot and first after a restore (awslambdaric runs
before-snapshot hooks in reverse order), around the app's own hooks.
"""

from __future__ import annotations

import random
import sys

ENV_INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"


def register_hooks() -> bool:
    """Register the hooks with the runtime; False where the runtime has no snapshot hooks."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot  # type: ignore[import-untyped]
    except ImportError:
        return False
    register_before_snapshot(close_connections)
    register_after_restore(reseed)
    return True


def close_connections() -> None:
    """Close what init opened that a snapshot cannot keep: Django's database connections."""
    db = sys.modules.get("django.db")
    if db is not None:
        db.connections.close_all()


def reseed() -> None:
    """Give this restored instance its own `random` sequence (seeded from os.urandom)."""
    random.seed()
