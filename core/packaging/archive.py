"""The reproducible zip: same entries in, same bytes out, on every run and machine.

Entries are sorted, every timestamp is the same (1980-01-01, or SOURCE_DATE_EPOCH when set),
permissions are normalised (0644 files, 0755 folders and executables), the creating system is
always "Unix" and the compression level fixed. Nothing from the build machine leaks in: no owner,
no mtime, no absolute path, no extra fields.

The writer is our own (a few struct calls) rather than `zipfile`, because it can copy members
compressed once into the cache (`Deflated`) byte for byte: recompressing 60 MB of unchanged
dependencies was most of a rebuild's time.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from faas.core.errors import PackagingError
from faas.core.reporting import Reporter

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6
STORED, DEFLATED = 0, 8
_FILE, _DIRECTORY = 0o100000, 0o040000
_MADE_BY_UNIX = (3 << 8) | 20
_UTF8 = 0x800
_MAX_32 = 0xFFFFFFFF
_MAX_16 = 0xFFFF


@dataclass(frozen=True)
class Deflated:
    """A member compressed earlier, stored at `offset` in the `blob` file."""

    blob: Path
    offset: int
    length: int
    size: int
    crc: int
    method: int
    sha256: str


@dataclass(frozen=True)
class Entry:
    """One file of the artifact: read from `path`, the generated `data`, or copied `deflated`."""

    arcname: str
    path: Path | None = None
    data: bytes | None = None
    executable: bool = False
    # Who put it there: "source", "generated", "static", or the distribution's name.
    origin: str = "source"
    deflated: Deflated | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    @property
    def size(self) -> int:
        if self.deflated is not None:
            return self.deflated.size
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size


def compress(data: bytes) -> tuple[int, int, bytes]:
    """(method, crc32, payload): raw deflate at a fixed level, or stored when that is not smaller."""
    crc = zlib.crc32(data)
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
    payload = compressor.compress(data) + compressor.flush()
    if len(payload) >= len(data):
        return STORED, crc, data
    return DEFLATED, crc, payload


def zip_timestamp() -> tuple[int, int, int, int, int, int]:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) if set, else 1980-01-01 (zip cannot go earlier)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return ZIP_EPOCH
    stamp = tuple(time.gmtime(int(epoch))[:6])
    return max(stamp, ZIP_EPOCH)  # type: ignore[return-value]


def _dos(stamp: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = stamp
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def folders_of(names: Iterable[str]) -> set[str]:
    folders: set[str] = set()
    for name in names:
        parts = name.split("/")[:-1]
        folders.update("/".join(parts[: depth + 1]) + "/" for depth in range(len(parts)))
    return folders


class _Writer:
    def __init__(self, out: BinaryIO, stamp: tuple[int, int, int, int, int, int]) -> None:
        self.out = out
        self.time, self.date = _dos(stamp)
        self.central: list[bytes] = []
        self.offset = 0

    def add(self, name: str, mode: int, *, method: int, crc: int, payload: bytes, size: int) -> None:
        encoded = name.encode()
        flags = 0 if encoded.isascii() else _UTF8
        if max(size, len(payload), self.offset) >= _MAX_32:
            raise PackagingError(f"{name}: artifacts over 4 GB are not supported by any provider")
        # Fields shared by the local header and the central directory record, in zip order.
        common = (20, flags, method, self.time, self.date, crc, len(payload), size, len(encoded), 0)
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, *common)
        attributes = (mode << 16) | (0x10 if mode & _DIRECTORY else 0)
        record = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY_UNIX, *common, 0, 0, 0, attributes, self.offset)
        self.central.append(record + encoded)
        self.out.write(header + encoded)
        self.out.write(payload)
        self.offset += len(header) + len(encoded) + len(payload)

    def finish(self) -> None:
        start = self.offset
        directory = b"".join(self.central)
        self.out.write(directory)
        count = len(self.central)
        if count > _MAX_16:
            # Zip64 end records: only the entry count can overflow (sizes were checked above).
            end64 = self.offset + len(directory)
            self.out.write(
                struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(directory), start)
            )
            self.out.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
            count = _MAX_16
        self.out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), start, 0))


def write_zip(entries: list[Entry], destination: Path, reporter: Reporter) -> dict[str, tuple[int, str]]:
    """Write `entries` (unique arcnames) to `destination` atomically; returns {arcname: (size, sha256)}."""
    stamp = zip_timestamp()
    by_name = {entry.arcname: entry for entry in entries}
    # Folder entries make permissions explicit for unzip tools that would otherwise apply a umask.
    names = sorted([*by_name, *folders_of(by_name)])
    written: dict[str, tuple[int, str]] = {}
    blobs: dict[Path, BinaryIO] = {}
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.part")
    try:
        with reporter.progress("Writing zip", total=len(names)) as task, partial.open("wb") as out:
            writer = _Writer(out, stamp)
            for name in names:
                entry = by_name.get(name)
                if entry is None:
                    writer.add(name, _DIRECTORY | 0o755, method=STORED, crc=0, payload=b"", size=0)
                else:
                    mode = _FILE | (0o755 if entry.executable else 0o644)
                    stored = entry.deflated
                    if stored is not None:
                        blob = blobs.get(stored.blob) or blobs.setdefault(stored.blob, stored.blob.open("rb"))
                        blob.seek(stored.offset)
                        writer.add(
                            name,
                            mode,
                            method=stored.method,
                            crc=stored.crc,
                            payload=blob.read(stored.length),
                            size=stored.size,
                        )
                        written[name] = (stored.size, stored.sha256)
                    else:
                        data = entry.read()
                        method, crc, payload = compress(data)
                        writer.add(name, mode, method=method, crc=crc, payload=payload, size=len(data))
                        written[name] = (len(data), hashlib.sha256(data).hexdigest())
                task.advance()
            writer.finish()
    finally:
        for handle in blobs.values():
            handle.close()
    os.replace(partial, destination)
    return written


def deflate_files(root: Path, relatives: Iterable[str], blob: Path) -> dict[str, Deflated]:
    """Compress files under `root` once into `blob`, for `write_zip` to copy on every later build."""
    index: dict[str, Deflated] = {}
    partial = blob.with_name(f".{blob.name}.{os.getpid()}.part")
    offset = 0
    with partial.open("wb") as out:
        for relative in sorted(relatives):
            data = (root / relative).read_bytes()
            method, crc, payload = compress(data)
            out.write(payload)
            sha = hashlib.sha256(data).hexdigest()
            index[relative] = Deflated(blob, offset, len(payload), len(data), crc, method, sha)
            offset += len(payload)
    os.replace(partial, blob)
    return index
