"""`python -m tests.fakes.azure`: start the fake, print `export` lines for it, serve until stopped."""

from __future__ import annotations

import contextlib
import shlex
import signal
import threading

from .fake import AzureFake


def main() -> None:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with AzureFake() as fake:
        for name, value in fake.environment().items():
            print(f"export {name}={shlex.quote(value)}", flush=True)
        print("# serving on loopback; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()


if __name__ == "__main__":
    main()
