"""Writers that never leave a half-written file behind: write to a temporary file, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

__all__ = ["atomic_path", "write_table", "write_text"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    A crash or exception while writing leaves any existing ``path`` untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates 0600; give the result the permissions a normal open() would.
    umask = os.umask(0)
    os.umask(umask)
    tmp_path.chmod(0o666 & ~umask)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _write(path: str | os.PathLike, writer: Callable[[Path], None]) -> Path:
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) atomically."""
    return _write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_table(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table atomically; the format follows the suffix (.csv, .parquet).

    CSV is for people (UTF-8, comma, point decimal, no index); Parquet for programs
    (GeoParquet when ``frame`` is a GeoDataFrame).
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        def writer(tmp: Path) -> None:
            frame.drop(columns="geometry", errors="ignore").to_csv(tmp, index=False)
    elif suffix == ".parquet":
        def writer(tmp: Path) -> None:
            frame.to_parquet(tmp, index=False)
    else:
        raise ValueError(
            f"write_table: unsupported suffix {suffix!r} for {path}; use .csv or .parquet")
    return _write(path, writer)
