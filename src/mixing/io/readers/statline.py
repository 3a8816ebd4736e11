"""Text tables from CBS: OData CSV, StatLine web export (and its R rewrite), 2024 download.

Encoding decision: files are read as UTF-8 (a BOM is allowed); CBS and PDOK publish UTF-8.
UTF-16 (with a BOM, or without one: recognised from the NUL byte of every ASCII character,
as Windows tools write it) is decoded too, because it is unambiguous. A file that is not
valid UTF-8 (e.g. re-saved by Excel as latin-1/cp1252) is rejected with an
:class:`~mixing.errors.InputError` whose fix is to re-save it as UTF-8, rather than guessed:
a wrong guess would silently garble names such as "Twee-onder-één-kap-woning". NUL bytes
in a UTF-8 file mean the file is corrupted: an error naming the line.

Every data row keeps the 1-based line number it starts on in the file
(:attr:`~mixing.io.readers.RawTable.lines`), so every later error can name the line an editor
shows. A row with fewer or more fields than the header is an error naming its line, never
padded with "hidden" values.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from mixing.errors import InputError
from mixing.io.readers.raw import RawTable

__all__ = ["read_text_table", "decode"]

_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte of the start is NUL (ASCII text)."""
    sample = raw[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode(path: Path, data: bytes | None = None, label: object = None) -> str:
    """Read ``path`` (or its bytes ``data``) as text: UTF-8 (BOM optional) or UTF-16.

    Empty files, NUL bytes in UTF-8 text and text that is neither are an InputError.
    """
    raw = path.read_bytes() if data is None else data
    file = path if label is None else label
    if not raw.strip():
        raise InputError("the file is empty", file=file,
                         fix="download the table again; CBS files have a header and data rows")
    encoding = None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif b"\x00" in raw[:4000]:
        encoding = _utf16_without_bom(raw)
    if encoding is not None:
        try:
            return raw.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            raise InputError("the file looks like UTF-16 text but does not decode as such",
                             file=file, fix="re-save it as UTF-8 (Excel: 'CSV UTF-8')") from None
    if b"\x00" in raw:
        position = raw.index(b"\x00")
        line = raw[:position].count(b"\n") + 1
        raise InputError(
            f"the file holds NUL bytes (first on line {line}): it is corrupted (a damaged "
            "download or disk), so rows may be glued together", file=file, line=line,
            fix="download the table again")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            f"the file is not UTF-8 text (byte {raw[err.start]:#04x} on line {line})",
            file=file, line=line,
            fix="re-save it as UTF-8 (Excel: 'CSV UTF-8'; or iconv -f cp1252 -t utf-8)",
        ) from None


def _is_web_export(lines: list[str]) -> bool:
    """StatLine web CSV: title line, empty line, ';Onderwerp' line, header, unit row."""
    return len(lines) >= 3 and lines[2].strip('"; \r').lower() == "onderwerp"


def _sniff_sep(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=counts.get)


def _parse(text: str, sep: str, file: object, skip: int) -> tuple[list[list[str]], list[int]]:
    """Rows of fields (strings) after ``skip`` lines, each with its 1-based start line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"',
                        doublequote=True, strict=True)
    rows: list[list[str]] = []
    starts: list[int] = []
    previous = 0
    try:
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if start <= skip or not fields or all(not f.strip() for f in fields) and len(
                    fields) <= 1:
                continue
            if start != previous and any("\n" in f or "\r" in f for f in fields):
                # CBS never breaks a line inside a value: an unclosed quote swallowed rows.
                raise InputError(
                    f"a quoted value is not closed on line {start}; it runs on to line "
                    f"{previous}, swallowing the rows in between", file=file, line=start,
                    fix="the file is cut or hand-edited; download the table again")
            rows.append(fields)
            starts.append(start)
    except csv.Error as err:
        raise InputError(f"the file cannot be parsed as {sep!r}-separated CSV ({err})",
                         file=file, line=reader.line_num,
                         fix="check that the download is complete and not edited by hand"
                         ) from None
    if not rows:
        raise InputError("the file has no header", file=file, fix="download the table again")
    _drop_footer(rows, starts)
    return rows, starts


#: The notes StatLine writes under a table ("Bron: CBS", the licence, the date): footer lines.
FOOTER = re.compile(r"^\s*(bron|source|©|\(c\)|copyright|centraal bureau voor de statistiek|"
                    r"statistics netherlands|cbs\b|gewijzigd|geraadpleegd|toelichting|"
                    r"noot|voetnoot|note)", re.IGNORECASE)


def _drop_footer(rows: list[list[str]], starts: list[int]) -> None:
    """Remove StatLine's footer notes (one filled field, e.g. ``"Bron: CBS"``) at the end.

    Only lines after the last data row whose single filled field starts like a CBS note
    (:data:`FOOTER`) go; a cut row (several fields, or a name) still fails as truncated.
    """
    while len(rows) > 1:
        filled = [f for f in rows[-1] if f.strip()]
        if len(filled) != 1 or not FOOTER.match(filled[0]):
            return
        rows.pop()
        starts.pop()


def _frame(rows: list[list[str]], starts: list[int], width: int, file: object) -> pd.DataFrame:
    """Data rows as a DataFrame of strings; any row whose field count differs is an error."""
    for fields, line in zip(rows, starts, strict=True):
        if len(fields) < width:
            raise InputError(
                f"this row has {len(fields)} fields, the header has {width}: the row is cut "
                "short (a truncated or hand-edited file), so its last values are unknown",
                file=file, line=line,
                fix="download the table again; do not open and save it in a spreadsheet")
        if len(fields) > width:
            raise InputError(
                f"this row has {len(fields)} fields, the header has {width} (an unquoted "
                "separator inside a value, or rows glued together)", file=file, line=line,
                fix="download the table again; quote values that contain the separator")
    if not rows:
        raise InputError("the file has a header but no data rows", file=file,
                         fix="download the table again, with at least one region selected")
    return pd.DataFrame(rows, columns=range(width), dtype=object)


def _read_web(text: str, lines: list[str], file: object) -> RawTable:
    rows, starts = _parse(text, ";", file, skip=3)
    if len(rows) < 2:
        raise InputError("the StatLine export has no unit row or data rows", file=file,
                         fix="download the table again")
    names = [str(n).replace("|", "").strip() for n in rows[0]]
    units = [str(u).strip() for u in rows[1]] + [None] * (len(names) - len(rows[1]))
    # The first column holds the region name under an empty header.
    names[0] = names[0] or "Wijken en buurten"
    data = _frame(rows[2:], starts[2:], len(names), file)
    title = lines[0].strip('"; \r')
    year = _YEAR.search(title)
    return RawTable(data, names, units[: len(names)], str(file), "StatLine web export",
                    decimal=",", title_year=int(year.group()) if year else None,
                    lines=starts[2:])


def _read_plain(text: str, lines: list[str], file: object) -> RawTable:
    sep = _sniff_sep(lines[0])
    rows, starts = _parse(text, sep, file, skip=0)
    names = [str(n).strip() for n in rows[0]]
    data = _frame(rows[1:], starts[1:], len(names), file)
    # R's write.csv adds an unnamed row-index column; StatLine's unnamed column is a name.
    if names and names[0] == "" and data[0].str.fullmatch(r"\d+").all():
        data = data.drop(columns=0)
        data.columns = range(data.shape[1])
        names = names[1:]
    return RawTable(data, names, [None] * len(names), str(file), "CSV", decimal="",
                    lines=starts[1:])


def read_text_table(path: str | Path, *, data: bytes | None = None,
                    label: object = None) -> RawTable:
    """Parse a CBS text table into a :class:`~mixing.io.readers.RawTable` of strings.

    ``data`` (the file's bytes, e.g. decompressed from a gzip/zip) and ``label`` (the name
    used in messages) serve archives. Plain CSVs get ``decimal=""``: their decimal
    separator is decided from the numbers themselves (:func:`mixing.io.missing.to_float`).
    """
    path = Path(path)
    file = path if label is None else label
    text = decode(path, data, label)
    lines = text.splitlines()
    if _is_web_export(lines):
        return _read_web(text, lines, file)
    return _read_plain(text, lines, file)
