r"""Vitality screening of buurten (a Nijmegen housing corporation's score), crossed with
concentration of social housing.

The score
---------
A corporation in Nijmegen screens its neighbourhoods with a *vitality score*
(Dutch practice: how a corporation judges whether mixing works):

.. math:: V = L \times O \times R, \qquad L, O, R \in \{1, 2, 3\}, \qquad V \in [1, 27]

* :math:`L` liveability -- from the national Leefbaarometer (BZK, leefbaarometer.nl);
* :math:`O` organising capacity -- is there a residents' council, a neighbourhood
  director;
* :math:`R` resilience -- nuisance, lifestyle data.

Each is scored 1 (good) to 3 (worrying); from :math:`V \ge 9` up a buurt "gets a closer
look". 9 is reached by, e.g., 3 x 3 x 1 or 3 x 1 x 3: two worrying factors, or one
worrying and two middling (3 x 2 x 2 = 12). The scores come from the corporation, not
from CBS: :func:`vitality_table` reads them from a user file.

Liveability from the Leefbaarometer
-----------------------------------
Instead of a score 1-3 the file may give the Leefbaarometer 3.0 *score class* (1-9:
1 zeer onvoldoende, 2 ruim onvoldoende, 3 onvoldoende, 4 zwak, 5 voldoende, 6 ruim
voldoende, 7 goed, 8 zeer goed, 9 uitstekend). It is mapped with
:data:`LEEFBAAROMETER_TO_SCORE`: classes 1-3 (insufficient) -> 3, 4-5 (weak / just
sufficient) -> 2, 6-9 -> 1. This mapping is this project's reading of the classes, not
the corporation's; pass scores 1-3 directly to use another.

Crossed with concentration
--------------------------
``lisa_hh`` marks buurten that are in a significant high-high LISA cluster of the social
housing share (``quadrant == "HH"`` and ``significant_fdr`` in the local table of
:func:`mixing.tables.clusters.autocorrelation_tables`, variable ``social_housing`` of
:mod:`mixing.dimensions`): a
screened buurt inside a concentration of social housing is where the corporation's two
questions meet.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from mixing.errors import InputError
from mixing.io.archives import check_archive, check_parquet, read_bytes

__all__ = ["FACTORS", "ALIASES", "LEEFBAAROMETER_TO_SCORE", "LABELS_NL", "THRESHOLD",
           "OUTPUT_COLUMNS", "read_scores", "vitality_table"]

#: The three factors, in formula order.
FACTORS = ("liveability", "organising_capacity", "resilience")
#: Column names accepted in the user's file (lower-cased, stripped) -> canonical name.
ALIASES = {
    "unit_code": "unit_code", "buurtcode": "unit_code", "buurt_code": "unit_code",
    "code": "unit_code",
    "liveability": "liveability", "leefbaarheid": "liveability",
    "organising_capacity": "organising_capacity", "organiserend_vermogen": "organising_capacity",
    "organisatiekracht": "organising_capacity",
    "resilience": "resilience", "veerkracht": "resilience",
    "leefbaarometer_class": "leefbaarometer_class", "leefbaarometer_klasse": "leefbaarometer_class",
    "leefbaarometer": "leefbaarometer_class",
}
#: Leefbaarometer 3.0 score class (1-9) -> liveability score (3 = worrying).
LEEFBAAROMETER_TO_SCORE = {1: 3, 2: 3, 3: 3, 4: 2, 5: 2, 6: 1, 7: 1, 8: 1, 9: 1}
#: From this vitality score up a buurt gets a closer look.
THRESHOLD = 9
#: Dutch labels of the output columns, for maps and tables people read.
LABELS_NL = {
    "liveability": "Leefbaarheid (1-3)",
    "organising_capacity": "Organiserend vermogen (1-3)",
    "resilience": "Veerkracht (1-3)",
    "vitality_score": "Vitaliteitsscore (1-27)",
    "closer_look": "Nader bekijken (score 9 of hoger)",
    "lisa_hh": "In cluster hoog-hoog sociale huur (LISA, significant na FDR)",
    "closer_look_and_hh": "Nader bekijken én cluster sociale huur",
}
OUTPUT_COLUMNS = ["municipality_code", "unit_code", "unit_name", *FACTORS,
                  "liveability_source", "vitality_score", "closer_look", "lisa_hh",
                  "closer_look_and_hh"]


def _normalise_code(value: object) -> str:
    text = str(value).strip().upper()
    return "BU" + text if text.isdigit() and len(text) == 8 else text


def _read_file(path: str) -> pd.DataFrame:
    """The user's file as strings, the format from its content (:mod:`mixing.io.readers.sniff`)."""
    from pathlib import Path

    from mixing.io.readers.sniff import refuse, sniff
    from mixing.io.readers.statline import decode

    file = Path(path)
    if not file.is_file():
        raise InputError("vitality scores file not found", file=path,
                         fix="check the path in the config (vitality:)")
    with file.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip() and file.stat().st_size <= len(head):
        raise InputError("the vitality scores file is empty", file=path,
                         fix="write a header row (buurtcode;leefbaarheid;organiserend_vermogen;"
                         "veerkracht) and one row per buurt")
    kind = sniff(file)
    if kind == "xlsx":
        check_archive(file)  # an .xlsx is a zip of XML parts: bounded like any archive
        try:
            return pd.read_excel(file, dtype=str, engine="openpyxl")
        except (ValueError, OSError, KeyError) as err:
            raise InputError(f"cannot read the Excel workbook ({err})", file=path,
                             fix="save it again in Excel, or as CSV UTF-8") from None
    if kind == "parquet":
        check_parquet(file)
        return pd.read_parquet(file).astype("string").astype(object)
    if kind not in ("text", "gzip", "zip"):
        what = {"xls": "an old Excel workbook (.xls)", "ods": "an OpenDocument spreadsheet"}
        if kind in what:
            raise InputError(f"the vitality scores file is {what[kind]}", file=path,
                             fix="save it as Excel .xlsx or as CSV UTF-8")
        if kind in ("html", "pdf"):
            raise refuse(kind, path, "a CSV or Excel file of scores")
        raise InputError(f"the vitality scores file is a {kind} file, not a table",
                         file=path, fix="save the scores as CSV (UTF-8) or Excel .xlsx")
    # gzip/zip are unpacked by mixing.io.archives, never beyond its limit; then UTF-8/UTF-16,
    # anything else gets the message of the main reader
    text = decode(file, data=bytes(read_bytes(file)))
    try:
        return pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str)
    except (ValueError, pd.errors.ParserError) as err:
        raise InputError(f"cannot read the vitality scores file as CSV ({err})", file=path,
                         fix="save it as CSV with a header row and ; or , between values"
                         ) from None


def read_scores(source) -> tuple[pd.DataFrame, str]:
    """The user's scores as a frame with canonical column names, and its name for errors.

    The file's structure is checked here (every check that needs no units table, so that
    ``mixing check-config`` runs it before any work starts): a code column, at least one
    row, liveability as a score or a Leefbaarometer class (not both), the other two
    factors present, every score a whole number in its range.

    Parameters
    ----------
    source : str, os.PathLike or DataFrame
        CSV (``,`` or ``;``; UTF-8 or UTF-16), Excel (.xlsx, read with openpyxl) or
        Parquet file -- the format is recognised from the content, not the name -- or a
        frame.
    """
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), "<scores table>"
    else:
        name = os.fspath(source)
        frame = _read_file(name)
    rename = {}
    for col in frame.columns:
        key = str(col).strip().lower().replace(" ", "_")
        if key in ALIASES:
            if ALIASES[key] in rename.values():
                raise InputError(f"two columns mean {ALIASES[key]!r}", file=name,
                                 column=str(col), fix="keep one of them")
            rename[col] = ALIASES[key]
    frame = frame.rename(columns=rename)
    if "unit_code" not in frame:
        raise InputError(f"no buurt code column among {list(map(str, frame.columns))}",
                         file=name, fix="name the column 'buurtcode' (e.g. BU03630000)")
    if frame.empty:
        raise InputError("the vitality scores file has a header but no rows", file=name,
                         fix="add one row per screened buurt, or remove 'vitality:' from "
                         "the config")
    has_score, has_class = "liveability" in frame, "leefbaarometer_class" in frame
    if has_score == has_class:
        raise InputError("give liveability either as a score 1-3 ('leefbaarheid') or as a "
                         "Leefbaarometer class 1-9 ('leefbaarometer_klasse')"
                         + (", not both" if has_score else ""), file=name,
                         fix="keep exactly one of the two columns")
    missing = [f for f in FACTORS[1:] if f not in frame]
    if missing:
        raise InputError(f"missing column(s) {missing}", file=name,
                         fix="add 'organiserend_vermogen' and 'veerkracht' (scores 1-3)")
    frame = frame.reset_index(drop=True)
    for column in ("liveability", *FACTORS[1:]):
        if column in frame:
            _scores(frame, column, name, None)
    if has_class:
        _scores(frame, "leefbaarometer_class", name, LEEFBAAROMETER_TO_SCORE)
    return frame, name


def _scores(frame: pd.DataFrame, column: str, name: str, allowed: Mapping[int, int] | None
            ) -> np.ndarray:
    """Integer scores of one column; every bad cell raises with its file row."""
    raw = frame[column]
    numbers = pd.to_numeric(raw.astype(str).str.strip().str.replace(",", "."), errors="coerce")
    valid = set(allowed) if allowed is not None else {1, 2, 3}
    ok = numbers.isin(valid)
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        lo, hi = min(valid), max(valid)
        raise InputError(f"score must be a whole number {lo}-{hi}", file=name, column=column,
                         row=i + 2, value=None if pd.isna(raw.iloc[i]) else raw.iloc[i],
                         fix=f"enter a whole number {lo}-{hi} for "
                             f"{frame['unit_code'].iloc[i]}, or remove the row")
    out = numbers.to_numpy(dtype=np.int64)
    return out if allowed is None else np.array([allowed[v] for v in out], dtype=np.int64)


def vitality_table(scores, units: pd.DataFrame, local: pd.DataFrame | None = None, *,
                   threshold: int = THRESHOLD, variable: str = "social_housing"
                   ) -> pd.DataFrame:
    r"""Per-buurt vitality score (L x O x R), the closer-look flag, and LISA HH of social housing.

    Parameters
    ----------
    scores : str, os.PathLike or DataFrame
        The user's file: one row per buurt, a code column (``buurtcode`` / ``unit_code``;
        ``BU`` prefix optional) and ``liveability`` (or ``leefbaarheid``), or instead
        ``leefbaarometer_klasse`` (1-9, mapped by :data:`LEEFBAAROMETER_TO_SCORE`);
        ``organising_capacity`` (``organiserend_vermogen``) and ``resilience``
        (``veerkracht``), each a whole number 1-3 (3 = worrying). Aliases: :data:`ALIASES`.
    units : DataFrame
        Canonical units (``unit_code``, ``unit_name``, ``municipality_code``): every code
        in ``scores`` must be one of them.
    local : DataFrame, optional
        Local autocorrelation table (``local.csv``, columns ``unit_code``, ``variable``,
        ``quadrant``, ``significant_fdr``: the rule of the map's LISA layer and of the
        scenarios' HH counts). None: ``lisa_hh`` is NA.
    threshold : int, default 9
        Closer look from this score up.
    variable : str, default "social_housing"
        Variable of ``local`` whose HH clusters are crossed with the screening.

    Returns
    -------
    DataFrame
        ``municipality_code, unit_code, unit_name, liveability, organising_capacity,
        resilience, liveability_source, vitality_score, closer_look, lisa_hh,
        closer_look_and_hh``, one row per scored buurt, sorted by code. ``lisa_hh`` is
        NA where the buurt has no row in ``local``. Dutch labels: :data:`LABELS_NL`.

    Raises
    ------
    InputError
        Naming file, column, row (line in the file, header = 1) and value: missing code
        column, unknown buurt code, duplicate code, a score that is not 1-3 (or a
        Leefbaarometer class that is not 1-9), liveability given twice or not at all.

    Notes
    -----
    :math:`V = L \times O \times R` with each factor 1-3; closer look when
    :math:`V \ge 9`. Source: a Nijmegen housing corporation's screening (practitioners'
    interviews on inclusive neighbourhoods); Leefbaarometer 3.0 (Ministerie van BZK, 2022).

    Examples
    --------
    >>> units = pd.DataFrame({"unit_code": ["BU00000001", "BU00000002"],
    ...                       "unit_name": ["Noord", "Zuid"], "municipality_code": "GM0000"})
    >>> s = pd.DataFrame({"buurtcode": ["BU00000001", "00000002"], "leefbaarheid": [3, 1],
    ...                   "organiserend_vermogen": [3, 2], "veerkracht": [1, 2]})
    >>> vitality_table(s, units)[["unit_code", "vitality_score", "closer_look"]].values.tolist()
    [['BU00000001', 9, True], ['BU00000002', 4, False]]
    """
    frame, name = read_scores(scores)
    frame = frame.reset_index(drop=True)
    codes = frame["unit_code"].map(_normalise_code)
    known = pd.Index(units["unit_code"].astype(str))
    unknown = ~codes.isin(known)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(f"unknown buurt code ({int(unknown.sum())} of {len(codes)} codes "
                         "are not in the units)", file=name, column="unit_code", row=i + 2,
                         value=frame["unit_code"].iloc[i],
                         fix="use CBS buurt codes of the municipality and year analysed, "
                             "e.g. BU05180271")
    dup = codes.duplicated(keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((codes == codes.iloc[i]).to_numpy())[0])
        raise InputError(f"buurt listed twice (also row {first + 2})", file=name,
                         column="unit_code", row=i + 2, value=codes.iloc[i],
                         fix="keep one row per buurt")
    if "liveability" in frame:
        live, source = _scores(frame, "liveability", name, None), "score"
    else:
        live = _scores(frame, "leefbaarometer_class", name, LEEFBAAROMETER_TO_SCORE)
        source = "leefbaarometer class " + frame["leefbaarometer_class"].astype(str).str.strip()
    org = _scores(frame, "organising_capacity", name, None)
    res = _scores(frame, "resilience", name, None)
    info = (units.assign(unit_code=units["unit_code"].astype(str))
            .drop_duplicates("unit_code").set_index("unit_code"))
    out = pd.DataFrame({
        "municipality_code": info["municipality_code"].reindex(codes).to_numpy(),
        "unit_code": codes.to_numpy(),
        "unit_name": (info["unit_name"].reindex(codes).to_numpy() if "unit_name" in info
                      else codes.to_numpy()),
        "liveability": live, "organising_capacity": org, "resilience": res,
        "liveability_source": source, "vitality_score": live * org * res,
    })
    out["closer_look"] = out["vitality_score"] >= threshold
    if local is None:
        out["lisa_hh"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        rows = local[local["variable"] == variable]
        sig = rows["significant_fdr"].map(lambda v: str(v).strip().lower() == "true")
        hh = (rows["quadrant"] == "HH") & sig
        flag = pd.Series(hh.to_numpy(), index=rows["unit_code"].astype(str).to_numpy())
        flag = flag[~flag.index.duplicated()]
        out["lisa_hh"] = pd.array(flag.reindex(out["unit_code"]).to_numpy(), dtype="boolean")
    out["closer_look_and_hh"] = out["closer_look"] & out["lisa_hh"]
    return out.sort_values("unit_code", ignore_index=True)[OUTPUT_COLUMNS]
