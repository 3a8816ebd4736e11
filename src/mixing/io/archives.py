"""Compressed inputs (gzip, zip) read with bounded memory: every byte counted as it unpacks.

A 1.5 MB zip can hold 1.5 GB of blanks; read whole, it ends in a MemoryError. Here nothing
is trusted: a zip's central directory is sized from its end record before it is parsed,
the sizes the members declare (and a gzip's trailer) are checked first, a cheap refusal for
an honest bomb, and then the bytes are counted while they are decompressed, in
:data:`CHUNK` pieces, stopping as soon as the total passes
:data:`mixing.limits.MAX_UNPACKED_BYTES`. A zip member that claims fewer bytes than it
holds is cut at its claim by :mod:`zipfile` and then fails its CRC check: refused as damaged.

Text tables are counted in a first pass that keeps nothing, then decompressed into memory
(:func:`read_gzip`, :func:`read_zip_member`): a bomb is refused holding one chunk, and an
honest CBS table of a few MB is unpacked twice, in milliseconds. Map files are read by GDAL
through ``/vsigzip/`` and ``/vsizip/``, which Python cannot bound, so
:func:`check_archive` streams the whole archive through the counter first and GDAL only
gets it when it fits. Nested archives are never unpacked: a member is read as the one data
file it must be, and an archive inside fails as "not a CBS file".
"""

from __future__ import annotations

import gzip
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mixing import limits
from mixing.errors import InputError

__all__ = ["CHUNK", "kind", "kind_of_bytes", "read_gzip", "zip_members",
           "read_zip_member", "check_archive", "check_parquet", "read_bytes"]

#: Bytes decompressed per step: the most a refusal reads beyond the limit.
CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
#: Bytes of central directory allowed per allowed member (a 46-byte record and its name).
_DIRECTORY_BYTES_PER_MEMBER = 1024
#: Compressions recognised only to be refused with a clear message.
_OTHER_MAGIC = {**{b"BZh" + bytes([level]): "bzip2" for level in b"123456789"},
                b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd",
                b"7z\xbc\xaf\x27\x1c": "7-Zip", b"Rar!": "RAR"}
#: Rows decoded per step when a Parquet file is counted.
_PARQUET_ROWS = 4096
_DAMAGED = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError,
            RuntimeError, ValueError, struct.error)


def kind(path: str | os.PathLike) -> str | None:
    """``"gzip"``, ``"zip"`` or another compression's name from the file's first bytes.

    None for a file that is not compressed.
    """
    with open(path, "rb") as handle:
        return kind_of_bytes(handle.read(8))


def kind_of_bytes(head: bytes) -> str | None:
    """:func:`kind` from the first bytes (of a file, or of a member read from an archive)."""
    if head[:2] == _GZIP_MAGIC:
        return "gzip"
    if head[:4] in (_ZIP_MAGIC, _EMPTY_ZIP):
        return "zip"
    return next((name for magic, name in _OTHER_MAGIC.items() if head.startswith(magic)),
                None)


def _unsupported(label: object, found: str) -> InputError:
    return InputError(f"the file is {found}-compressed; only gzip and zip are read",
                      file=label, fix="unpack it and pass the unpacked file")


def _too_large(label: object, limit: int, declared: bool = False) -> InputError:
    how = "declares a content of" if declared else "expands to"
    return InputError(
        f"the compressed file {how} more than {limits.size(limit)}, the limit for one "
        "input; refused before unpacking it further (a compression bomb, or not a CBS "
        "download: the largest national CBS tables are a few MB)",
        file=label, fix=limits.RAISE_HINT)


def _damaged(label: object, err: BaseException, what: str) -> InputError:
    return InputError(f"cannot decompress this {what} file ({type(err).__name__}: {err})",
                      file=label, fix="download it again; the file is damaged or cut short")


def _chunks(stream: BinaryIO, label: object, limit: int, counted: int = 0,
            what: str = "compressed") -> Iterator[bytes]:
    """The decompressed bytes of ``stream`` in pieces, refusing past ``limit`` in total."""
    while True:
        try:
            chunk = stream.read(CHUNK)
        except InputError:
            raise
        except _DAMAGED as err:
            raise _damaged(label, err, what) from None
        if not chunk:
            return
        counted += len(chunk)
        if counted > limit:
            raise _too_large(label, limit)
        yield chunk


def _collect(stream: BinaryIO, label: object, what: str) -> bytearray:
    out = bytearray()
    for chunk in _chunks(stream, label, limits.MAX_UNPACKED_BYTES, what=what):
        out += chunk
    return out


def _gzip_declared(path: str | os.PathLike, label: object) -> None:
    """Refuse at once when the gzip trailer's size (ISIZE, the last member's size modulo
    4 GiB) already passes the limit; a smaller claim is still counted while unpacking."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() < 18:  # header + trailer: too short to hold anything
            return
        handle.seek(-4, os.SEEK_END)
        (declared,) = struct.unpack("<I", handle.read(4))
    if declared > limits.MAX_UNPACKED_BYTES:
        raise _too_large(label, limits.MAX_UNPACKED_BYTES, declared=True)


def read_gzip(path: str | os.PathLike, label: object = None) -> bytearray:
    """The decompressed bytes of a gzip file (every gzip member), at most the limit."""
    label = path if label is None else label
    _gzip_declared(path, label)
    try:
        with gzip.open(path, "rb") as stream:  # count first, holding one chunk at a time
            _drain(stream, label, 0, "gzip")
        with gzip.open(path, "rb") as stream:
            return _collect(stream, label, "gzip")
    except InputError:
        raise
    except _DAMAGED as err:
        raise _damaged(label, err, "gzip") from None


def _directory(path: Path) -> tuple[int, int]:
    """(members, central directory bytes) from the zip's end record, without parsing it."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        tail_start = max(0, size - (22 + 0xFFFF))
        handle.seek(tail_start)
        tail = handle.read()
        at = tail.rfind(_EMPTY_ZIP)
        if at < 0 or len(tail) - at < 22:
            raise zipfile.BadZipFile("no end-of-central-directory record")
        entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
        locator = at - 20
        if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
            (record,) = struct.unpack("<Q", tail[locator + 8:locator + 16])
            handle.seek(record)
            zip64 = handle.read(56)
            if zip64[:4] != b"PK\x06\x06":
                raise zipfile.BadZipFile("damaged zip64 end record")
            entries, directory = struct.unpack("<QQ", zip64[32:48])
    return entries, directory


def zip_members(path: str | os.PathLike, label: object = None) -> list[zipfile.ZipInfo]:
    """The file members of a zip, after its size checks (members, directory, declared bytes).

    Raises :class:`~mixing.errors.InputError` for a damaged zip, more than
    :data:`~mixing.limits.MAX_ARCHIVE_MEMBERS` members, or declared sizes beyond
    :data:`~mixing.limits.MAX_UNPACKED_BYTES`.
    """
    path = Path(path)
    label = path if label is None else label
    most = limits.MAX_ARCHIVE_MEMBERS
    try:
        entries, directory = _directory(path)
        if entries > most or directory > most * _DIRECTORY_BYTES_PER_MEMBER:
            raise InputError(
                f"the zip archive lists {entries} members ({limits.size(directory)} of "
                f"directory); at most {most} are read", file=label,
                fix="unzip it and pass the one data file you mean (the limit is "
                "mixing.limits.MAX_ARCHIVE_MEMBERS)")
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except InputError:
        raise
    except _DAMAGED as err:
        raise InputError(f"cannot open the zip archive ({err})", file=label,
                         fix="download it again; the archive is damaged") from None
    if len(infos) > most:  # the end record can understate them
        raise InputError(f"the zip archive holds {len(infos)} members; at most {most} are "
                         "read", file=label, fix="unzip it and pass the one data file")
    if sum(i.file_size for i in infos) > limits.MAX_UNPACKED_BYTES:
        raise _too_large(label, limits.MAX_UNPACKED_BYTES, declared=True)
    return infos


def read_zip_member(path: str | os.PathLike, member: str, label: object = None) -> bytearray:
    """The decompressed bytes of one member of a zip, at most the limit."""
    label = f"{path}!{member}" if label is None else label
    zip_members(path, path)
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open(member) as stream:  # count first, one chunk at a time
                _drain(stream, label, 0, "zip")
            with archive.open(member) as stream:
                return _collect(stream, label, "zip")
    except InputError:
        raise
    except _DAMAGED as err:
        raise _damaged(label, err, "zip") from None


def _drain(stream: BinaryIO, label: object, counted: int, what: str) -> int:
    for chunk in _chunks(stream, label, limits.MAX_UNPACKED_BYTES, counted, what):
        counted += len(chunk)
    return counted


def check_archive(path: str | os.PathLike, label: object = None) -> str | None:
    """Stream a gzip or zip file through a byte counter before GDAL or pandas reads it.

    Every member of a zip counts (GDAL opens a shapefile's sidecars, openpyxl a workbook's
    parts). Returns the kind (``"gzip"``, ``"zip"``) or None for a file that is neither
    (nothing to check). Memory stays at :data:`CHUNK`.
    """
    path = Path(path)
    label = path if label is None else label
    found = kind(path)
    try:
        if found == "gzip":
            _gzip_declared(path, label)
            with gzip.open(path, "rb") as stream:
                _drain(stream, label, 0, found)
        elif found == "zip":
            counted, members = 0, zip_members(path, label)
            with zipfile.ZipFile(path) as archive:
                for info in members:
                    with archive.open(info) as stream:
                        counted = _drain(stream, f"{label}!{info.filename}", counted, found)
    except InputError:
        raise
    except _DAMAGED as err:
        raise _damaged(label, err, found) from None
    if found not in (None, "gzip", "zip"):
        raise _unsupported(label, found)
    return found


def check_parquet(path: str | os.PathLike, label: object = None) -> None:
    """Refuse a Parquet file whose data expands beyond the limit once decoded.

    Parquet compresses inside, and its dictionary and run-length encodings expand further
    when decoded (one short code repeated a million times). The footer's uncompressed
    sizes are checked first; then the file is decoded in batches of :data:`_PARQUET_ROWS`
    rows, counting the decoded bytes, and dropped before it is read for real.
    """
    import pyarrow.parquet as pq

    label = path if label is None else label
    limit = limits.MAX_UNPACKED_BYTES
    try:
        with pq.ParquetFile(path) as handle:
            meta = handle.metadata
            declared = sum(meta.row_group(i).total_byte_size
                           for i in range(meta.num_row_groups))
            if declared > limit:
                raise _too_large(label, limit, declared=True)
            counted = 0
            for batch in handle.iter_batches(batch_size=_PARQUET_ROWS):
                counted += batch.nbytes
                if counted > limit:
                    raise _too_large(label, limit)
    except InputError:
        raise
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read this as a Parquet file ({err})", file=label,
                         fix="write it again (pandas: frame.to_parquet(path))") from None


def read_bytes(path: str | os.PathLike, label: object = None) -> bytes | bytearray:
    """A file's bytes, decompressed when it is gzip or a zip holding one file (bounded)."""
    path = Path(path)
    label = path if label is None else label
    found = kind(path)
    if found == "gzip":
        return read_gzip(path, label)
    if found == "zip":
        members = [i for i in zip_members(path, label)
                   if not i.filename.startswith("__MACOSX")]
        if len(members) != 1:
            raise InputError(f"the zip archive holds {len(members)} files, not one",
                             file=label, fix="unzip it and pass the one file you mean")
        return read_zip_member(path, members[0].filename, f"{label}!{members[0].filename}")
    if found is not None:
        raise _unsupported(label, found)
    return path.read_bytes()
