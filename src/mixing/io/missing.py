"""The one missing-data policy: CBS' hidden values become NaN here, and only here.

CBS hides small or secret values in two ways:

* StatLine / OData CSVs write ``.`` (often space-padded) and sometimes an empty string;
* wijk- en buurtkaart, PDOK and postcode files write negative sentinels
  from ``-99995`` down to ``-99999999`` (e.g. ``-99997`` "secret", ``-99999999`` "unknown").

:func:`to_float` turns one source column into floats, maps all of these to NaN and emits
ONE :class:`HiddenValuesWarning` per column that names the file, the column and how many
values were hidden. Any other negative number is kept, so that the reader can reject it as
an error in the source (see :func:`mixing.schema.validate_units`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from mixing.errors import InputError

__all__ = [
    "SENTINEL_HIGH",
    "SENTINEL_LOW",
    "MISSING_TOKENS",
    "HiddenValuesWarning",
    "RoundedCountsWarning",
    "to_float",
    "clip_to_wholes",
]

#: Negative sentinels span this closed interval (CBS map files, PDOK, PC4 statistics).
SENTINEL_HIGH = -99995.0
SENTINEL_LOW = -99999999.0
#: Text tokens that mean "hidden or unknown" in StatLine exports ("." missing, "x" secret).
#: CBS' "-" means "nil" (zero), so it is read as 0, not hidden.
MISSING_TOKENS = ("", ".", "x")


class HiddenValuesWarning(UserWarning):
    """Values hidden by CBS were read as NaN."""


class RoundedCountsWarning(UserWarning):
    """A part exceeded its whole because CBS rounds each count on its own; it was clipped."""


def clip_to_wholes(frame: pd.DataFrame, parts: dict[str, str], *, file: object) -> pd.DataFrame:
    """Clip each part count to its whole (e.g. 5 residents born outside Europe in a buurt of 0).

    CBS rounds every count to a multiple of 5 independently, so in small units a part can
    exceed the whole it belongs to; shares above 100 % and indices that refuse such input
    would follow. Parts are clipped to the whole, with ONE :class:`RoundedCountsWarning` per
    column that names the file, the column and how many units were clipped.
    """
    out = frame.copy()
    for part, whole in parts.items():
        if part not in out or whole not in out:
            continue
        over = (out[part] > out[whole]).to_numpy()  # False where either is NaN
        if over.any():
            warnings.warn(
                f"{file}: column {part!r}: {int(over.sum())} of {len(out)} units had more "
                f"than {whole!r} (CBS rounds counts to 5); clipped to {whole!r}",
                RoundedCountsWarning, stacklevel=2,
            )
            out.loc[over, part] = out.loc[over, whole]
    return out


def _parse_text(values: pd.Series, decimal: str, file: object, column: str) -> tuple[pd.Series,
                                                                                    pd.Series]:
    """Strip, map missing tokens to NaN, parse numbers; raise on anything else."""
    text = values.astype("string").str.strip()
    hidden = text.isna() | text.isin(MISSING_TOKENS)
    text = text.mask(text == "-", "0")
    if decimal != ".":
        text = text.str.replace(".", "", regex=False).str.replace(decimal, ".", regex=False)
    numbers = pd.to_numeric(text.where(~hidden), errors="coerce")
    bad = numbers.isna() & ~hidden
    if bad.any():
        label = bad.idxmax()
        raise InputError(
            "expected a number (or '.' for a hidden value)", file=file, column=column,
            row=label, value=str(values[label]),
            fix="check that this column holds numbers and that the file is not corrupted",
        )
    return numbers.astype("float64"), hidden


def to_float(values: pd.Series, *, file: object, column: str, decimal: str = ".") -> pd.Series:
    """Convert one source column to float64 with CBS' hidden values as NaN.

    Parameters
    ----------
    values : pandas.Series
        Raw values: text (padded, decimal point or comma) or numbers.
    file, column : object, str
        Named in the warning and in errors.
    decimal : str
        Decimal separator of text values (``","`` in StatLine web exports).

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
        When a text value is neither a number nor a missing token.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        hidden = numbers.isna()
    else:
        numbers, hidden = _parse_text(values, decimal, file, column)
    with np.errstate(invalid="ignore"):
        sentinel = (numbers <= SENTINEL_HIGH) & (numbers >= SENTINEL_LOW)
    hidden = hidden | sentinel
    numbers = numbers.mask(sentinel)
    n_hidden = int(hidden.sum())
    if n_hidden:
        warnings.warn(
            f"{file}: column {column!r}: {n_hidden} of {len(values)} values hidden by CBS "
            "('.', empty or a negative sentinel -99995 ... -99999999) are read as NaN",
            HiddenValuesWarning, stacklevel=3,
        )
    return numbers
