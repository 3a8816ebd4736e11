"""Checks and small helpers shared by the spatial kernels."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from mixing.checks import per_unit, quiet, square_matrix
from mixing.errors import InputError
from mixing.kernels.grouping import Batch

# ---------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------


def _square(matrix: object, n: int, name: str) -> sparse.csr_array:
    """Validated (n, n) float CSR with sorted indices (explicit zeros kept)."""
    from mixing.kernels.pairs import SpatialWeights

    if isinstance(matrix, SpatialWeights):
        matrix = matrix.binary
    m = square_matrix(matrix, name, n=n,
                      fix="pass e.g. spatial_inputs(units, groups=...).contiguity")
    if m.nnz and not np.isfinite(m.data).all():
        raise InputError(f"argument `{name}` has a NaN or infinite entry")
    if m.nnz and (m.data < 0).any():
        raise InputError(f"argument `{name}` has a negative entry; weights must be >= 0")
    if not m.has_sorted_indices:
        m = m.copy()
        m.sort_indices()
    return m


def _links(matrix, n, name, valid, batch):
    """Row-major (rows, cols, values) of the entries between valid units of one group."""
    m = _square(matrix, n, name)
    rows = np.repeat(np.arange(n), np.diff(m.indptr))
    cols = m.indices.astype(np.int64)
    keep = valid[rows] & valid[cols] & (batch.codes[rows] == batch.codes[cols])
    return rows[keep], cols[keep], m.data[keep]


def _vector(values, n, name) -> np.ndarray:
    return per_unit(values, n, name, fix="pass e.g. spatial_inputs(units).areas, aligned with "
                                         "the counts")


def _row_sum(rows, weights, n):
    return np.bincount(rows, weights=weights, minlength=n)


def _count(valid: np.ndarray, batch: Batch) -> np.ndarray:
    return batch.sum(valid.astype(np.float64))


def _share(x, t):
    with quiet():
        return np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)
