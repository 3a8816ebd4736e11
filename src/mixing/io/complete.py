"""Is the table whole, and where are its codes? Two checks on a parsed source, by content.

:func:`code_column_by_content`
    A column whose header the registry does not know (``Regiocode (gemeente, wijk, buurt)
    (code)``, a column renamed ``Area_Code``) is still the code column when its VALUES are
    CBS region codes: at least :data:`CODE_SHARE` of its filled cells look like
    ``BU12345678``, ``WK123456``, ``GM1234`` (or a total such as ``NL01``). Postcodes (four
    digits) are not recognised by content: any number column would match.
:func:`check_complete`
    A download that was cut gives a silently wrong municipality, so two signs of a cut are
    errors:

    * exactly :data:`ODATA_LIMIT` records from CBS' OData API (it returns at most 10,000
      records per request; a complete national table has more, so exactly 10,000 means the
      rest was not fetched);
    * a municipality or wijk whose buurten add up to fewer inhabitants than its own row,
      beyond what rounding explains: more than :data:`SHORTFALL_MIN` plus
      :data:`SHORTFALL_PER_BUURT` per buurt plus :data:`SHORTFALL_SHARE` of the whole (a
      wijk row without any of its buurten is the same sign). CBS rounds each buurt to 5 (at
      most 2.5 off) and counts a few residents without a known buurt; in every real file in
      ``shared/data/cbs`` (2014-2024; 342 municipalities and 3,283 wijken in 2024) the
      buurten fall short by at most 5.0 per buurt and 0.21 % of a gemeente, and by at most
      30 inhabitants of a wijk (at most half the allowance).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mixing.errors import InputError
from mixing.io.columns import Resolved
from mixing.io.missing import to_float
from mixing.io.readers.raw import RawTable

__all__ = ["CODE_SHARE", "ODATA_LIMIT", "SHORTFALL_PER_BUURT", "SHORTFALL_SHARE", "SHORTFALL_MIN",
           "code_column_by_content", "check_complete"]

#: Share of a column's filled cells that must be region codes to make it the code column.
CODE_SHARE = 0.9
#: Records CBS' OData API returns per request at most.
ODATA_LIMIT = 10_000
#: Buurten may fall short of their gemeente row by this many inhabitants each ...
SHORTFALL_PER_BUURT = 5.0
#: ... plus this share of the whole's inhabitants ...
SHORTFALL_SHARE = 0.01
#: ... plus this many (a small wijk: residents CBS counts without a known buurt).
SHORTFALL_MIN = 50.0

_REGION_CODE = re.compile(r"^(BU\d{4}[0-9A-Z]{4}|WK\d{4}[0-9A-Z]{2}|GM\d{4}|(NL|LD|PV|CR)\d{2})$")
_UNIT_CODE = re.compile(r"^(BU|WK|GM)\d{4}")
_ODATA_NAME = re.compile(r"^[A-Za-z]\w*_\d+$")


def code_column_by_content(data: pd.DataFrame, names: Sequence[str]) -> dict[str, Resolved]:
    """``{"unit_code": Resolved}`` for the first column whose values are region codes.

    ``data`` has positional columns (a :class:`~mixing.io.readers.RawTable`'s ``data``);
    returns ``{}`` when no column qualifies.
    """
    for position in range(data.shape[1]):
        values = data.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values):
            continue
        text = values.astype("string").str.replace(r"\s+", "", regex=True).str.upper()
        filled = text[text.notna() & (text != "")]
        if filled.empty:
            continue
        codes = filled.str.match(_REGION_CODE.pattern)
        if codes.mean() >= CODE_SHARE and filled.str.match(_UNIT_CODE.pattern).any():
            return {"unit_code": Resolved(position, str(names[position]), "text")}
    return {}


def _is_odata(raw: RawTable) -> bool:
    if raw.kind == "JSON table":
        return True
    named = [n for n in raw.names if n]
    return bool(named) and sum(bool(_ODATA_NAME.match(n)) for n in named) >= 0.5 * len(named)


def check_complete(raw: RawTable, codes: pd.Series, levels: pd.Series,
                   resolved: dict[str, Resolved], units: pd.DataFrame) -> None:
    """Raise when ``raw`` shows the signs of a cut download (see the module docstring).

    Parameters
    ----------
    raw : RawTable
        The parsed source.
    codes, levels : Series
        Every row's region code and level (None for totals), aligned with ``raw.data``.
    resolved : dict
        The resolved columns (``population`` is used).
    units : DataFrame
        The units read (``municipality_code``): only these municipalities are checked.
    """
    if len(raw.data) == ODATA_LIMIT and _is_odata(raw):
        raise InputError(
            f"the file holds exactly {ODATA_LIMIT:,} records, the most CBS' OData API returns "
            "per request: the download was cut and the last municipality is incomplete",
            file=raw.file, fix="download the rest too (mixing.io.download.download_kerncijfers "
            "pages through the API), or filter the request per municipality "
            "($filter=startswith(WijkenEnBuurten,'GM0263') ...)")
    if "population" not in resolved:
        return
    is_whole = levels.isin(["gemeente", "wijk"]).to_numpy()
    is_bu = (levels == "buurt").to_numpy()
    if not is_whole.any() or not is_bu.any():
        return
    wanted = set(units["municipality_code"].dropna().astype(str))
    spec = resolved["population"]
    rows = is_whole | is_bu
    with warnings.catch_warnings():  # hidden values are counted by the main read
        warnings.simplefilter("ignore")
        population = to_float(raw.data[spec.position][rows], file=raw.file, column=spec.source,
                              decimal=raw.decimal or ".", locate=raw.locate)
    frame = pd.DataFrame({"code": codes[rows], "level": levels[rows], "population": population})
    frame["municipality"] = "GM" + frame["code"].str[2:6]
    buurten = frame[frame["level"] == "buurt"]
    with_buurten = set(buurten["municipality"])
    for level, width in (("gemeente", 6), ("wijk", 8)):
        parts = buurten.groupby(buurten["code"].str[2:width])["population"].agg(
            total="sum", n="size", unknown=lambda v: v.isna().sum())
        for label, row in frame[frame["level"] == level].iterrows():
            if row["municipality"] not in wanted or row["municipality"] not in with_buurten:
                continue
            key = row["code"][2:width]
            total, n, unknown = (parts.loc[key] if key in parts.index else (0.0, 0, 0))
            whole = float(row["population"])
            if unknown > 0 or np.isnan(whole):
                continue
            allowed = SHORTFALL_MIN + SHORTFALL_PER_BUURT * n + SHORTFALL_SHARE * whole
            if whole - total > allowed:
                raise InputError(
                    f"{level} {row['code']}: its {int(n)} buurten add up to {total:,.0f} "
                    f"inhabitants, its own {level} row says {whole:,.0f}: buurten are missing "
                    f"(a cut download, e.g. at the OData limit of {ODATA_LIMIT:,} records)",
                    file=raw.file, column=spec.source, **raw.locate(label),
                    fix="download the table again, complete (per municipality if it is large)")
