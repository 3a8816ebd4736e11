"""Text tables from CBS: OData CSV, StatLine web export (and its R rewrite), 2024 download.

Encoding decision: files are read as UTF-8 (a BOM is allowed); CBS and PDOK publish UTF-8.
A file that is not valid UTF-8 (e.g. re-saved by Excel as latin-1/cp1252) is rejected with
an :class:`~mixing.errors.InputError` whose fix is to re-save it as UTF-8, rather than
guessed: a wrong guess would silently garble names such as "Twee-onder-één-kap-woning".
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from mixing.errors import InputError
from mixing.io.readers import RawTable

__all__ = ["read_text_table", "decode"]

_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")


def decode(path: Path) -> str:
    """Read ``path`` as UTF-8 text (BOM optional); empty or non-UTF-8 is an InputError."""
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("the file is empty", file=path,
                         fix="download the table again; CBS files have a header and data rows")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            f"the file is not UTF-8 text (byte {raw[err.start]:#04x} on line {line})",
            file=path,
            fix="re-save it as UTF-8 (Excel: 'CSV UTF-8'; or iconv -f cp1252 -t utf-8)",
        ) from None


def _is_web_export(lines: list[str]) -> bool:
    """StatLine web CSV: title line, empty line, ';Onderwerp' line, header, unit row."""
    return len(lines) >= 3 and lines[2].strip("; \r").lower() == "onderwerp"


def _sniff_sep(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=counts.get)


def _parse(text: str, sep: str, path: Path, skip: int) -> pd.DataFrame:
    """All fields as strings, positional columns; short rows show up as NaN."""
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, skiprows=skip, dtype=str,
                            keep_default_na=False, na_values=[], quoting=csv.QUOTE_MINIMAL,
                            skip_blank_lines=True)
    except pd.errors.ParserError as err:
        raise InputError(
            f"the file cannot be parsed as {sep!r}-separated CSV ({err})".replace("\n", " "),
            file=path, fix="check that the download is complete and not edited by hand",
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file has no header", file=path,
                         fix="download the table again") from None
    return frame


def _check_rows(frame: pd.DataFrame, path: Path) -> None:
    short = frame.isna().any(axis=1)
    if short.any():
        position = int(short.to_numpy().argmax())
        raise InputError(
            f"data row {position + 1} has fewer fields than the header: the file looks "
            "truncated (cut in the middle of a row)",
            file=path, row=position + 1,
            fix="download the table again; do not open and save it in a spreadsheet",
        )
    if frame.empty:
        raise InputError("the file has a header but no data rows", file=path,
                         fix="download the table again, with at least one region selected")


def _read_web(text: str, lines: list[str], path: Path) -> RawTable:
    frame = _parse(text, ";", path, skip=3)
    if len(frame) < 2:
        raise InputError("the StatLine export has no unit row or data rows", file=path,
                         fix="download the table again")
    names = [str(n).replace("|", "").strip() for n in frame.iloc[0]]
    units = [None if u is None or pd.isna(u) else str(u).strip() for u in frame.iloc[1]]
    # The first column holds the region name under an empty header.
    names[0] = names[0] or "Wijken en buurten"
    data = frame.iloc[2:].reset_index(drop=True)
    _check_rows(data, path)
    data.columns = range(data.shape[1])
    title = lines[0].strip("; \r")
    year = _YEAR.search(title)
    return RawTable(data, names, units, str(path), "StatLine web export", decimal=",",
                    title_year=int(year.group()) if year else None)


def _read_plain(text: str, lines: list[str], path: Path) -> RawTable:
    sep = _sniff_sep(lines[0])
    frame = _parse(text, sep, path, skip=0)
    names = [str(n).strip() for n in frame.iloc[0]]
    data = frame.iloc[1:].reset_index(drop=True)
    _check_rows(data, path)
    data.columns = range(data.shape[1])
    # R's write.csv adds an unnamed row-index column; StatLine's unnamed column is a name.
    if names and names[0] == "" and data[0].str.fullmatch(r"\d+").all():
        data = data.drop(columns=0)
        data.columns = range(data.shape[1])
        names = names[1:]
    return RawTable(data, names, [None] * len(names), str(path), "CSV")


def read_text_table(path: str | Path) -> RawTable:
    """Parse a CBS text table into a :class:`~mixing.io.readers.RawTable` of strings."""
    path = Path(path)
    text = decode(path)
    lines = text.splitlines()
    if _is_web_export(lines):
        return _read_web(text, lines, path)
    return _read_plain(text, lines, path)
