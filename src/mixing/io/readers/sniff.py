r"""What a file really is, from its first bytes: ONE rule, applied before any reader is chosen.

A name says what a file should be; its bytes say what it is. Users rename files ("export.csv"
that Excel wrote as a workbook), download error pages, and hand over JSON tables as
``.json``. :func:`sniff` looks at the content (magic bytes, the members of a zip, the first
JSON character), so every reader -- the units reader, the vitality reader -- picks its
parser from the content and refuses what no parser can read with a message that says what
the file is and how to get the right one (:func:`refuse`).

==============  =========================================  ===============================
kind            recognised by                               read as
==============  =========================================  ===============================
``gzip``        ``1f 8b``                                   the file inside
``zip``         ``PK\x03\x04`` (not an Office document)     the one data file inside
``xlsx``        a zip with ``xl/workbook.xml``              refused (tables), read (vitality)
``ods``         a zip whose ``mimetype`` is OpenDocument    refused: save as CSV
``xls``         OLE2 ``d0 cf 11 e0``                        refused: save as CSV / xlsx
``sqlite``      ``SQLite format 3\0`` with application id  map file
                ``GPKG``/``GP1x`` (a GeoPackage)
``database``    SQLite without that id                      tried as a map file, else
                                                            refused: not a GeoPackage
``parquet``     ``PAR1``                                    map file (GeoParquet)
``flatgeobuf``  ``fgb\x03``                                 map file
``shapefile``   file code 9994 (``00 00 27 0a``)            map file (needs its .dbf)
``json``        first character ``{`` or ``[``              GeoJSON/TopoJSON or a record table
``html``        ``<!doctype html`` / ``<html``              refused: an error page, not data
``pdf``         ``%PDF``                                    refused
``text``        anything else                               CSV reader
==============  =========================================  ===============================
"""

from __future__ import annotations

from pathlib import Path

from mixing.errors import InputError

__all__ = ["sniff", "sniff_bytes", "refuse", "KNOWN_KINDS", "GEO_KINDS", "REFUSED_KINDS"]

#: Every kind :func:`sniff` returns besides a refused compression's name (``bzip2``...).
KNOWN_KINDS = ("gzip", "zip", "xlsx", "ods", "xls", "sqlite", "database", "parquet",
               "flatgeobuf", "shapefile", "json", "html", "pdf", "text")
#: Kinds that are map files whatever their suffix.
GEO_KINDS = ("sqlite", "parquet", "flatgeobuf", "shapefile")
#: Kinds no reader of statistics accepts, with what the file is and the fix.
REFUSED_KINDS = {
    "xlsx": ("an Excel workbook (.xlsx), not a CSV text file",
             "open it in Excel and save it as 'CSV UTF-8 (comma delimited)', or download the "
             "table from StatLine as CSV"),
    "xls": ("an old Excel workbook (.xls), not a CSV text file",
            "open it in Excel and save it as 'CSV UTF-8 (comma delimited)'"),
    "ods": ("an OpenDocument spreadsheet (.ods), not a CSV text file",
            "open it in LibreOffice and save it as CSV (UTF-8)"),
    "html": ("a web page (HTML), not data: the download returned an error or login page",
             "download the file again and check that the URL gives the data itself"),
    "pdf": ("a PDF document, not data", "download the table itself (CSV) from StatLine"),
    "database": ("an SQLite database that is not a GeoPackage (no GeoPackage application id)",
                 "export the layer from your GIS as a GeoPackage (.gpkg) or GeoJSON"),
}

#: Magic bytes of the uncompressed kinds (compressions: :mod:`mixing.io.archives`).
_MAGIC = (
    (b"SQLite format 3\x00", "sqlite"),
    (b"PAR1", "parquet"),
    (b"fgb\x03", "flatgeobuf"),
    (b"\x00\x00\x27\x0a", "shapefile"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"%PDF", "pdf"),
)


def sniff_bytes(head: bytes) -> str:
    """The kind of a file from its first bytes (a zip is only ``zip`` here).

    Compressions are recognised by :func:`mixing.io.archives.kind_of_bytes` (one place for
    their magic bytes): ``gzip``, ``zip`` or the name of one that is refused (``bzip2``...).
    """
    from mixing.io.archives import kind_of_bytes

    packed = kind_of_bytes(head[:8])
    if packed is not None:
        return packed
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "sqlite" and len(head) >= 72 and head[68:70] != b"GP":
                return "database"  # GeoPackage sets application_id GPKG (GP10/GP11 before)
            return kind
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"{", b"["):
        return "json"
    lowered = text[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    return "text"


def _zip_kind(path: Path) -> str:
    """``xlsx``/``ods`` for an office document, else ``zip`` (its directory read bounded)."""
    from mixing.io.archives import read_zip_member, zip_members

    try:
        names = {info.filename for info in zip_members(path)}
    except InputError:
        # damaged or oversized: a workbook by its name, else the zip reader says what it is
        return {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods"}.get(path.suffix.lower(), "zip")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and b"opendocument.spreadsheet" in read_zip_member(path,
                                                                              "mimetype"):
        return "ods"
    return "zip"


def sniff(path: str | Path) -> str:
    """The kind of the file at ``path`` from its content (see the module table).

    Examples
    --------
    >>> sniff_bytes('{"type": "FeatureCollection"}'.encode("utf-8-sig"))
    'json'
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(512)
    kind = sniff_bytes(head)
    return _zip_kind(path) if kind == "zip" else kind


def refuse(kind: str, file: object, what: str = "a table") -> InputError:
    """The error for a file of a kind no reader of ``what`` accepts."""
    problem, fix = REFUSED_KINDS[kind]
    return InputError(f"this file is {problem}; expected {what}", file=file, fix=fix)
