"""Argument checks and the one floating-point error policy, shared by every layer.

Kernels validate at their boundary with these helpers, so a bad argument always raises
:class:`mixing.errors.InputError` naming the argument, the value and the fix, whichever
kernel received it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import numpy as np
from scipy import sparse

from mixing import limits
from mixing.errors import InputError

__all__ = ["quiet", "integer", "floats", "per_unit", "square_matrix"]


def quiet() -> AbstractContextManager:
    """Silence numpy's divide/invalid/overflow warnings *locally*.

    Kernels divide by group totals that can be 0 on purpose (the result is NaN and
    documented); they never change the caller's global ``np.seterr`` state.
    """
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


def integer(value: object, name: str, minimum: int, example: int | None = None) -> int:
    """``value`` as an int >= ``minimum`` (bools refused), else an error with an example.

    A count that sizes an allocation or a loop (``permutations``, ``replicates``, ...) is
    also bounded above, by its entry in :data:`mixing.limits.MAX_COUNTS` (looked up by
    ``name``, so every function taking that argument gets the same bound).
    """
    fix = f"e.g. {name}={example if example is not None else max(minimum, 999)}"
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(f"argument `{name}` must be an integer >= {minimum}, got {value!r}",
                         fix=fix)
    maximum = limits.MAX_COUNTS.get(name)
    if maximum is not None and value > maximum:
        raise InputError(
            f"argument `{name}` must be an integer <= {maximum} (the bound in "
            f"mixing.limits.MAX_COUNTS), got {int(value)}", fix=fix)
    return int(value)


def floats(values: object, name: str, must: str = "be numeric", fix: str | None = None
           ) -> np.ndarray:
    """``values`` as a float64 array, or an error saying what the argument must hold."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"argument `{name}` must {must} ({exc})", fix=fix) from exc


def per_unit(values: object, n: int, name: str, fix: str) -> np.ndarray:
    """One finite value >= 0 per unit (areas, lengths), shape ``(n,)``."""
    v = floats(values, name, fix=fix)
    if v.shape != (n,):
        raise InputError(
            f"argument `{name}` must hold one value per unit ({n}), got shape {v.shape}",
            fix=fix)
    bad = ~(np.isfinite(v) & (v >= 0))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(f"argument `{name}` must be finite and >= 0, got {float(v[first])!r} "
                         f"at position {first}", fix=fix)
    return v


def square_matrix(value: object, name: str, fix: str, n: int | None = None
                  ) -> sparse.csr_array:
    """``value`` as a square float CSR array (``(n, n)`` when ``n`` is given; zeros kept)."""
    try:
        m = sparse.csr_array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"argument `{name}` must be an (n, n) scipy sparse matrix or array, "
                         f"got {type(value).__name__} ({exc})", fix=fix) from exc
    if m.ndim != 2 or m.shape[0] != m.shape[1] or (n is not None and m.shape != (n, n)):
        raise InputError(
            f"argument `{name}` must have shape ({n or 'n'}, {n or 'n'}) (one row and column "
            f"per unit), got {m.shape}",
            fix="build it from the same units, in the same order, as the values")
    return m
