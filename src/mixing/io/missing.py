"""The one missing-data policy: CBS' hidden values become NaN here, and only here.

CBS hides small or secret values in two ways:

* StatLine / OData CSVs write ``.`` (often space-padded) and sometimes an empty string;
* wijk- en buurtkaart, PDOK and postcode files write negative sentinels
  from ``-99995`` down to ``-99999999`` (e.g. ``-99997`` "secret", ``-99999999`` "unknown").

:func:`to_float` turns one source column into floats, maps all of these to NaN and emits
ONE :class:`HiddenValuesWarning` per column that names the file, the column and how many
values were hidden. Any other negative number is kept, so that the reader can reject it as
an error in the source (see :mod:`mixing.io.plausible`). R's ``NA`` (a StatLine export
re-written by ``write.csv``) is a missing value too.

Numbers as people's files write them
------------------------------------
Text numbers may use a decimal comma (``15,3``, StatLine web exports, Dutch Excel) or a
decimal point, and a thousands separator (``1.234`` with a decimal comma, ``1,234`` with a
decimal point). :func:`infer_decimal` decides the file's decimal separator from the numbers
themselves: a value such as ``15,3`` or ``1.234,5`` shows a decimal comma, ``15.3``,
``0.250`` or ``1,234.5`` a decimal point. A column whose own values show a separator follows
them; a value that can be read two ways (``1.234`` with no decimal separator anywhere in the
file, or ``1.5`` in a decimal-comma file) is an :class:`~mixing.errors.InputError`, never a
guess.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from mixing.checks import quiet
from mixing.errors import InputError

__all__ = [
    "SENTINEL_HIGH",
    "SENTINEL_LOW",
    "MISSING_TOKENS",
    "HiddenValuesWarning",
    "RoundedCountsWarning",
    "to_float",
    "infer_decimal",
    "clip_to_wholes",
]

#: Negative sentinels span this closed interval (CBS map files, PDOK, PC4 statistics).
SENTINEL_HIGH = -99995.0
SENTINEL_LOW = -99999999.0
#: Text tokens that mean "hidden or unknown" in StatLine exports ("." missing, "x" secret).
#: CBS' "-" means "nil" (zero), so it is read as 0, not hidden. "NA" is R's missing value.
MISSING_TOKENS = ("", ".", "x", "NA")


class HiddenValuesWarning(UserWarning):
    """Values hidden by CBS were read as NaN."""


class RoundedCountsWarning(UserWarning):
    """A part exceeded its whole because CBS rounds each count on its own; it was clipped."""


def clip_to_wholes(frame: pd.DataFrame, parts: dict[str, str], *, file: object,
                   locate: Callable[[object], dict] | None = None) -> pd.DataFrame:
    """Clip each part count to its whole when CBS rounding explains the excess.

    CBS rounds every count to a multiple of 5 independently, so in small units a part can
    exceed the whole it belongs to by a few units (5 residents born outside Europe in a buurt
    of 0). Such parts are clipped to the whole, with ONE :class:`RoundedCountsWarning` per
    column that names the file, the column and how many units were clipped. An excess above
    :data:`mixing.io.plausible.ROUNDING_SLACK` is not rounding: an InputError naming the
    unit (``locate`` turns the row label into the line/feature of the file).
    """
    from mixing.io.plausible import ROUNDING_SLACK

    locate = locate or (lambda label: {"row": label})
    out = frame.copy()
    for part, whole in parts.items():
        if part not in out or whole not in out:
            continue
        excess = (out[part] - out[whole]).to_numpy()
        with quiet():
            over = excess > 0  # False where either is NaN
            too_much = excess > ROUNDING_SLACK
        if too_much.any():
            label = out.index[int(np.flatnonzero(too_much)[0])]
            raise InputError(
                f"{part} is larger than its whole {whole} ({out.at[label, whole]:g}) by more "
                f"than CBS rounding explains (at most {ROUNDING_SLACK:g}); "
                f"{int(too_much.sum())} unit(s) like this", file=file, column=part,
                value=float(out.at[label, part]), **locate(label),
                fix=f"check that {part} and {whole} are mapped to the right source columns "
                "and units (a percentage read as a count?)")
        if over.any():
            warnings.warn(
                f"{file}: column {part!r}: {int(over.sum())} of {len(out)} units had more "
                f"than {whole!r} by at most {ROUNDING_SLACK:g} (CBS rounds counts to 5); "
                f"clipped to {whole!r}",
                RoundedCountsWarning, stacklevel=2,
            )
            out.loc[over, part] = out.loc[over, whole]
    return out


# Shapes of a number after its sign (see the module docstring).
_INT = re.compile(r"\d+")
_GROUPED_DOT = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")  # 1.234: thousands or decimal
_GROUPED_COMMA = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")  # 1,234: thousands or decimal
_DOT_DECIMAL = re.compile(r"\d*\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+")
_COMMA_DECIMAL = re.compile(r"\d*,\d+")
_DOTS_AND_COMMA = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+,\d+")  # 1.234,5
_COMMAS_AND_DOT = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+\.\d+")  # 1,234.5
_SPECIAL = re.compile(r"(?i)inf(inity)?|nan")


def _shapes(text: pd.Series) -> pd.DataFrame:
    body = text.str.replace(r"^[+-]", "", regex=True)
    return pd.DataFrame({
        "int": body.str.fullmatch(_INT.pattern),
        "grouped_dot": body.str.fullmatch(_GROUPED_DOT.pattern),
        "grouped_comma": body.str.fullmatch(_GROUPED_COMMA.pattern),
        "dot": body.str.fullmatch(_DOT_DECIMAL.pattern) | body.str.fullmatch(
            _COMMAS_AND_DOT.pattern),
        "comma": body.str.fullmatch(_COMMA_DECIMAL.pattern) | body.str.fullmatch(
            _DOTS_AND_COMMA.pattern),
        "special": body.str.fullmatch(_SPECIAL.pattern),
    }).fillna(False).astype(bool)


def _evidence(text: pd.Series) -> set[str]:
    """Decimal separators that some value of ``text`` can only be read with."""
    shapes = _shapes(text)
    found = set()
    if (shapes["comma"] & ~shapes["grouped_comma"]).any():
        found.add(",")
    if (shapes["dot"] & ~shapes["grouped_dot"]).any():
        found.add(".")
    return found


def _clean(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip()


def infer_decimal(columns: Iterable[pd.Series]) -> str:
    """The decimal separator the numbers of a file show: ``","``, ``"."`` or ``""`` (unknown).

    ``""`` when no value decides it or when columns disagree (each column then decides from
    its own values, see :func:`to_float`).
    """
    found: set[str] = set()
    for values in columns:
        if pd.api.types.is_numeric_dtype(values):
            continue
        found |= _evidence(_clean(values))
    return found.pop() if len(found) == 1 else ""


def _parse_text(values: pd.Series, decimal: str, file: object, column: str,
                locate: Callable[[object], dict]) -> tuple[pd.Series, pd.Series]:
    """Strip, map missing tokens to NaN, parse numbers; raise on anything else."""
    text = _clean(values)
    hidden = text.isna() | text.isin(MISSING_TOKENS)
    text = text.mask(text == "-", "0").where(~hidden)
    shapes = _shapes(text.fillna(""))
    own = _evidence(text.dropna())
    if len(own) > 1:
        comma = shapes["comma"] & ~shapes["grouped_comma"]
        dot = shapes["dot"] & ~shapes["grouped_dot"]
        first_comma, first_dot = comma.idxmax(), dot.idxmax()
        label = max(first_comma, first_dot, key=lambda lab: text.index.get_loc(lab))
        raise InputError(
            "this column mixes decimal commas and decimal points "
            f"({text[first_comma]!r} and {text[first_dot]!r}), so its numbers are ambiguous",
            file=file, column=column, value=str(values[label]), **locate(label),
            fix="write all numbers of a column the same way (no thousands separators)")
    decimal = own.pop() if own else decimal
    body = text.fillna("").str.replace(r"^[+-]", "", regex=True)
    if decimal == ",":
        # a dot may only group thousands: 1.234 or 1.234,5
        wrong = body.str.contains(".", regex=False) & ~(
            shapes["grouped_dot"] | body.str.fullmatch(_DOTS_AND_COMMA.pattern))
        why = "a decimal point in a file that uses decimal commas"
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    elif decimal == ".":
        # a comma may only group thousands: 1,234 or 1,234.5
        wrong = body.str.contains(",", regex=False) & ~(
            shapes["grouped_comma"] | body.str.fullmatch(_COMMAS_AND_DOT.pattern))
        why = "a decimal comma in a file that uses decimal points"
        text = text.str.replace(",", "", regex=False)
    else:
        wrong = shapes["grouped_dot"] | shapes["grouped_comma"]
        why = ("a thousands separator or a decimal separator? the file shows neither "
               "elsewhere")
    if wrong.any():
        label = wrong.idxmax()
        raise InputError(
            f"ambiguous number: {why}", file=file, column=column, value=str(values[label]),
            **locate(label),
            fix="write numbers without thousands separators, with one decimal separator "
            "for the whole file")
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & ~hidden
    if bad.any():
        label = bad.idxmax()
        raise InputError(
            "expected a number (or '.' for a hidden value)", file=file, column=column,
            value=str(values[label]), **locate(label),
            fix="check that this column holds numbers and that the file is not corrupted",
        )
    return numbers.astype("float64"), hidden


def to_float(values: pd.Series, *, file: object, column: str, decimal: str = ".",
             locate: Callable[[object], dict] | None = None) -> pd.Series:
    """Convert one source column to float64 with CBS' hidden values as NaN.

    Parameters
    ----------
    values : pandas.Series
        Raw values: text (padded, decimal point or comma, thousands separators) or numbers.
    file, column : object, str
        Named in the warning and in errors.
    decimal : str
        Decimal separator of text values: ``","`` (StatLine web exports), ``"."``, or ``""``
        when the file does not say (then only values that can be read one way are accepted).
        A column whose own values show one separator follows them.
    locate : callable, optional
        Row label -> ``{"line": n}`` / ``{"feature": n}`` for messages (default ``row``).

    Returns
    -------
    pandas.Series
        float64, same index; NaN where CBS hid or did not know the value.

    Warns
    -----
    HiddenValuesWarning
        Once, when any value was hidden: ``"<file>: column 'X': 5 of 114 values hidden by CBS
        ('.', empty or a negative sentinel -99995 ... -99999999) are read as NaN"``.

    Raises
    ------
    InputError
        When a text value is neither a number nor a missing token, or can be read two ways.
    """
    locate = locate or (lambda label: {"row": label})
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        hidden = numbers.isna()
    else:
        numbers, hidden = _parse_text(values, decimal, file, column, locate)
    with quiet():
        sentinel = (numbers <= SENTINEL_HIGH) & (numbers >= SENTINEL_LOW)
    hidden = hidden | sentinel
    numbers = numbers.mask(sentinel)
    n_hidden = int(hidden.sum())
    if n_hidden:
        warnings.warn(
            f"{file}: column {column!r}: {n_hidden} of {len(values)} values hidden by CBS "
            "('.', 'NA', empty or a negative sentinel -99995 ... -99999999) are read as NaN",
            HiddenValuesWarning, stacklevel=3,
        )
    return numbers
