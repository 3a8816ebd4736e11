r"""Spatial autocorrelation kernels: Moran, Geary, LISA, Getis-Ord, join counts, EB rates.

Pure numpy/scipy, vectorised, seeded. Every kernel takes a value per unit and spatial
weights (:class:`mixing.geometry.weights.SpatialWeights`, or any (n, n) scipy sparse / dense
matrix), and optionally ``groups`` (one id per unit, e.g. the municipality code) with a
block-diagonal ``W`` (:func:`mixing.geometry.weights.build_weights` with ``groups=``, or
:func:`mixing.geometry.weights.block_diagonal`): then every statistic is computed *per group*
(values centred and standardised within the group, permutations within the group) in one
call, and global results are arrays in the order of the sorted unique group ids
(``result.groups``).

One module per family: :mod:`~mixing.kernels.autocorr.moran` (global Moran, Geary,
bivariate Moran), :mod:`~mixing.kernels.autocorr.local` (LISA),
:mod:`~mixing.kernels.autocorr.getis_ord` (Gi*, global G),
:mod:`~mixing.kernels.autocorr.join_counts` (global and local join counts),
:mod:`~mixing.kernels.autocorr.rates` (empirical-Bayes rates); the shared checks,
p-value rules and result bases (the permutation fields every global or local result has)
live in ``_core``, the permutation engines and the helpers that turn their draws into
result fields in ``_permutation``, and the parameter descriptions the statistics share in
:mod:`mixing.docstrings`.

Definitions follow PySAL ``esda`` 2.9 exactly (it is the test oracle; see
``tests/test_autocorr_reference.py`` and ``tests/test_autocorr_new_reference.py``),
including its defaults:

- Weights are row-standardised (``transformation="r"``) by default for every statistic,
  Geary's C included (esda 2.9 ``Geary(transformation="r")``; pass ``"b"`` for Geary's
  original binary form). Join counts and the global G use binary weights, as in esda.
- ``moran``: ``p_norm`` / ``p_rand`` are two-tailed by default (``two_tailed=True``).
  ``geary`` and ``getis_ord_g``: one-tailed, as in esda.
- Global permutation p-values (``p_sim``) are esda's "directed" pseudo p-values:
  :math:`p = (\min(L, S) + 1) / (R + 1)` with ``R`` permutations, ``L`` the number of
  simulated values :math:`\ge` the observed one and ``S`` the number :math:`\le` it
  (join counts: ``L`` only, as esda).
- Local permutation p-values take ``alternative=`` (:data:`ALTERNATIVES`: ``"two-sided"``
  by default, ``"greater"``, ``"less"``, ``"folded"``, ``"directed"``), the rules of esda's
  ``calculate_significance`` (:func:`pseudo_p`). One deliberate difference: ties (a
  simulated value within :data:`TIE_RTOL` of the observed one) are counted on *both*
  sides. Example: a unit whose value equals its group mean has local I = 0 and so does
  every simulation; esda's ``"directed"`` returns :math:`1/(R+1)` (significant), esda's
  ``"two-sided"`` :math:`(2R + 1)/(R + 1)`, we return 1 for both.
- Local statistics use *conditional* permutation: the value of unit ``i`` is held fixed
  and its ``k_i`` neighbours are replaced by ``k_i`` values drawn without replacement from
  the other ``n - 1`` units of its group. Like esda's ``crand``, one matrix of draws of
  shape ``(permutations, max k)`` per group is made once and unit ``i`` uses its first
  ``k_i`` columns; the statistics for all units are then computed with fancy indexing in
  chunks of about :data:`CHUNK_ELEMENTS` numbers, so memory stays bounded.

Degenerate input (decided once, here):

- NaN or infinite values raise :class:`~mixing.errors.InputError`: drop unknown units
  first with :func:`mixing.geometry.weights.subset` (one missing-data policy).
- Without ``groups``, fewer than 2 units, a constant variable, or weights without any
  link raise :class:`~mixing.errors.InputError`.
- With ``groups``, such a group gets NaN results (quadrant 0, label ``"undefined"``) and
  one ``RuntimeWarning`` counts the groups, so a national run does not fail on a
  one-buurt municipality.
- A unit without neighbours (only possible after :func:`~mixing.geometry.weights.subset` without
  centroids, or with a hand-made matrix) has local statistic 0 as in esda but
  ``p_sim = NaN``, quadrant 0 and label ``"isolated"``; it is never significant.
"""

from __future__ import annotations

from mixing.kernels.autocorr._core import ALTERNATIVES, TIE_RTOL, adjust_pvalues, pseudo_p
from mixing.kernels.autocorr._permutation import CHUNK_ELEMENTS
from mixing.kernels.autocorr.getis_ord import (
    GetisOrdResult,
    GlobalGResult,
    getis_ord_g,
    getis_ord_g_star,
)
from mixing.kernels.autocorr.join_counts import (
    JoinCountsResult,
    LocalJoinCountsResult,
    join_counts,
    local_join_counts,
)
from mixing.kernels.autocorr.local import (
    QUADRANT_LABELS,
    LocalMoranMoments,
    LocalMoranResult,
    bivariate_local_moran,
    local_moran,
    local_moran_moments,
)
from mixing.kernels.autocorr.moran import (
    BivariateMoranResult,
    GearyResult,
    MoranResult,
    bivariate_moran,
    geary,
    moran,
)
from mixing.kernels.autocorr.rates import assuncao_rate, local_moran_rate, moran_rate

__all__ = [
    "ALTERNATIVES",
    "CHUNK_ELEMENTS",
    "QUADRANT_LABELS",
    "TIE_RTOL",
    "MoranResult",
    "GearyResult",
    "BivariateMoranResult",
    "LocalMoranResult",
    "LocalMoranMoments",
    "GetisOrdResult",
    "GlobalGResult",
    "JoinCountsResult",
    "LocalJoinCountsResult",
    "moran",
    "geary",
    "bivariate_moran",
    "local_moran",
    "local_moran_moments",
    "bivariate_local_moran",
    "getis_ord_g_star",
    "getis_ord_g",
    "join_counts",
    "local_join_counts",
    "assuncao_rate",
    "moran_rate",
    "local_moran_rate",
    "adjust_pvalues",
    "pseudo_p",
]
