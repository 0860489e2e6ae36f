"""The suite's own package index: the wheels and sdists its tests resolve, served on loopback.

Tests resolve real requirements (flask, numpy for the wrong platform, setuptools for an sdist
build...) with real pip. They must not reach PyPI, so `python -m tests.provision` (the install
step of the README's test command, which may use the network like `pip install` does) downloads the
files named in `lock.txt` and their projects' listings into the wheelhouse folder; during the run,
`index.PackageIndex` serves them as a PEP 503/691 index on a loopback port and the suite's
`PIP_INDEX_URL` points at it. A listing shows what PyPI listed at the lock's cutoff, so pip picks the
same files on every run; a file pip asks for that is not in the wheelhouse is a 404, written to
`misses.txt` and named by the failing test. Refreshing the lock is `python -m tests.provision
--record -- <pytest args>`: the one mode that lets the index fetch what it misses from PyPI.
"""
