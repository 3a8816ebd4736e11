"""JSON files: GeoJSON/TopoJSON go to the map reader; record tables are read here.

A JSON *table* is what CBS' OData API returns (``{"value": [{"Codering_3": ...}, ...]}``,
OData v3 with ``odata.metadata``, v4 with ``@odata.context``) or a plain list of records
(``[{"unit_code": ..., "population": ...}, ...]``, as pandas' ``to_json(orient="records")``
writes). Records become a :class:`~mixing.io.readers.RawTable` of strings (numbers written
with a decimal point), so the column registry and the missing-data policy treat them exactly
like a CSV. An OData page that links to a next page (``odata.nextLink``) is an incomplete
download and an :class:`~mixing.errors.InputError`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from mixing.errors import InputError
from mixing.io.readers.raw import RawTable

__all__ = ["GEOJSON_TYPES", "json_kind", "json_error", "load_json", "read_json_table"]

#: Top-level ``type`` of the JSON map formats (read by the map reader).
GEOJSON_TYPES = ("FeatureCollection", "Feature", "Topology", "GeometryCollection")


def load_json(path: Path, data: bytes | None, file: object):
    """The parsed JSON document; invalid JSON is an InputError naming line and column."""
    try:
        raw = path.read_bytes() if data is None else data
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise json_error(path, raw, file) from None


def json_error(path: Path, raw: bytes | None = None, file: object = None) -> InputError:
    """Where a (Geo/Topo)JSON file stops being JSON, as an InputError (line and column)."""
    file = path if file is None else file
    try:
        document = json.loads((path.read_bytes() if raw is None else raw).decode("utf-8-sig"))
    except UnicodeDecodeError:
        return InputError("the file is not UTF-8 JSON", file=file,
                          fix="re-save it as UTF-8 (GeoJSON must be UTF-8)")
    except json.JSONDecodeError as err:
        before = err.doc[: err.pos].rstrip()
        if err.msg.startswith("Expecting") and before.endswith(","):
            # Report the comma itself, not the bracket after it.
            position = len(before) - 1
            line = before.count("\n") + 1
            column = position - before.rfind("\n")
            problem = "a trailing comma (a comma before a closing bracket)"
        else:
            line, column, problem = err.lineno, err.colno, err.msg
        return InputError(
            f"the file is not valid JSON: {problem} at line {line}, column {column}",
            file=file, line=line,
            fix="repair it there (e.g. remove the comma after the last feature) or export "
            "it again from a GIS")
    if json_kind(document) == "records":
        return InputError("a JSON table (records), not a map file (GeoJSON/TopoJSON)",
                          file=file, fix="pass it as table= and a boundary file as geometry=")
    return InputError("the JSON file is not GeoJSON/TopoJSON (no 'type' FeatureCollection or "
                      "Topology)", file=file,
                      fix="export the boundaries from a GIS as GeoJSON")


def json_kind(document: object) -> str:
    """``map`` (GeoJSON/TopoJSON), ``records`` (a table) or ``other``."""
    if isinstance(document, dict) and document.get("type") in GEOJSON_TYPES:
        return "map"
    if isinstance(document, dict) and isinstance(document.get("value"), list):
        return "records"
    if isinstance(document, list) and document and all(isinstance(r, dict) for r in document):
        return "records"
    return "other"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_json_table(path: str | Path, document: object = None, *, label: object = None
                    ) -> RawTable:
    """A JSON record table (OData ``value`` list or list of records) as a RawTable."""
    path = Path(path)
    file = path if label is None else label
    if document is None:
        document = load_json(path, None, file)
    kind = json_kind(document)
    if kind != "records":
        shown = sorted(document)[:8] if isinstance(document, dict) else type(document).__name__
        raise InputError(
            f"a JSON file that is neither GeoJSON/TopoJSON (a 'type' of {list(GEOJSON_TYPES)}) "
            f"nor a table (a list of records, or OData's {{'value': [...]}}); it has {shown}",
            file=file,
            fix="pass boundaries as GeoJSON/TopoJSON and statistics as CSV (or OData JSON)")
    if isinstance(document, dict):
        more = [k for k in document if k.lower().endswith("odata.nextlink")]
        if more:
            raise InputError(
                f"this OData response is one page of several ({more[0]!r} points to the "
                f"next): the download is incomplete ({len(document['value'])} records)",
                file=file, fix="download every page (mixing.io.download.download_kerncijfers "
                "follows the links), or filter the request to one municipality")
        records = document["value"]
    else:
        records = document
    if not records:
        raise InputError("the JSON table has no records", file=file,
                         fix="download the table again, with at least one region selected")
    names: list[str] = []
    seen: set[str] = set()
    for record in records:
        if not isinstance(record, dict):
            raise InputError("every record of a JSON table must be an object {name: value}",
                             file=file, value=_cell(record)[:40],
                             fix="export the table as a list of records")
        for key in record:
            if key not in seen:
                seen.add(key)
                names.append(key)
    rows = [[_cell(record.get(name)) for name in names] for record in records]
    data = pd.DataFrame(rows, columns=range(len(names)), dtype=object)
    return RawTable(data, [str(n) for n in names], [None] * len(names), str(file),
                    "JSON table", decimal=".")
