r"""Multigroup aspatial segregation and diversity indices: pure numpy, batched by group id.

Every kernel takes ``counts`` shaped (units, k) -- one column per population group, e.g.
western / non-western migration background / rest, with k >= 2 -- and returns a float,
or with ``groups`` (one id per unit, e.g. the municipality code; any sortable dtype) a
float array with one value per group in ``np.unique(groups)`` order, computed in one
vectorised pass.

Definitions follow PySAL ``segregation`` 2.5 (``segregation.multigroup``) unless a
docstring says otherwise.

Conventions
-----------
* A unit with NaN in any column, or with a row total of 0, is **excluded** from every sum
  (for zero-total rows this is what ``segregation`` computes; it has no NaN rule).
* A population group absent from a whole municipality is **ignored** by every index:
  the result equals that of the table without the group's column (K counts the groups
  present). For most indices this is the formula itself (:math:`0 \ln 0 = 0`, a zero
  share adds nothing); the squared coefficient of variation and normalised diversity,
  which divide by :math:`P_k` or use K, apply it explicitly. ``segregation`` instead
  returns NaN for the entropy-based indices and the squared coefficient of variation.
* An index that is undefined for a municipality (no unit left, only one population group
  present where the index divides by that) is NaN, without a warning.
* Bad input raises :class:`mixing.errors.InputError` (a ``ValueError``).

Notation: unit :math:`i`, population group :math:`k = 1..K`, count :math:`c_{ik}`,
unit total :math:`t_i`, share :math:`p_{ik} = c_{ik} / t_i`; per municipality
:math:`T = \sum_i t_i` and :math:`P_k = \sum_i c_{ik} / T`;
:math:`I = \sum_k P_k (1 - P_k)` (Simpson's interaction) and
:math:`E = -\sum_k P_k \ln P_k` (entropy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.kernels.grouping import Batch, exclusive_cumsum, make_batch, multigroup_counts

__all__ = [
    "multigroup_dissimilarity",
    "multigroup_gini",
    "normalized_exposure",
    "information_theory",
    "mutual_information",
    "relative_diversity",
    "squared_coefficient_of_variation",
    "diversity",
    "simpsons_concentration",
    "simpsons_interaction",
    "MutualInformationDecomposition",
    "mutual_information_decomposition",
]


def _shares(c: np.ndarray, batch: Batch):
    """Per unit t_i and p_ik (0 for excluded units); per group T and P_k (G, K)."""
    t = c.sum(axis=1)
    T = batch.sum(t)
    K = c.shape[1]
    C = np.stack([batch.sum(c[:, k]) for k in range(K)], axis=1)  # K bincounts, K small
    with quiet():
        P = C / T[:, None]
        p = np.where(t[:, None] > 0, c / np.where(t > 0, t, 1.0)[:, None], 0.0)
    return t, p, T, P


def _validated_shares(counts, groups):
    """Validate ``counts`` (:func:`multigroup_counts`): ``c, batch`` and :func:`_shares`."""
    c, _, batch = multigroup_counts(counts, groups)
    return (c, batch, *_shares(c, batch))


def _group_sum(values: np.ndarray, batch: Batch) -> np.ndarray:
    """Sum a (units, K) array over units and columns per group, unit by unit."""
    return batch.sum(values.sum(axis=1))


def _xlogy_ratio(p: np.ndarray, P: np.ndarray) -> np.ndarray:
    """The terms p ln(p / P), with 0 ln 0 = 0."""
    with quiet():
        return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / P), 0.0)


def _entropy_rows(P: np.ndarray) -> np.ndarray:
    """-sum_k P_k ln P_k along the last axis, with 0 ln 0 = 0."""
    with quiet():
        terms = np.where(P > 0, -P * np.log(np.where(P > 0, P, 1.0)), 0.0)
    out = terms.sum(axis=-1)
    return np.where(np.isnan(P).any(axis=-1), np.nan, out)


@shared_parameters
def multigroup_dissimilarity(counts, *, groups=None):
    r"""Dissimilarity index D of k >= 2 population groups (Sakoda 1981; Reardon & Firebaugh 2002).

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    D : float or numpy.ndarray
        D in [0, 1]; NaN where fewer than two population groups are present (I = 0).

    Notes
    -----
    .. math:: D = \frac{1}{2 T I} \sum_i \sum_k t_i \lvert p_{ik} - P_k \rvert

    Same as ``segregation.multigroup.MultiDissim``; with k = 2 it equals the two-group D.

    References: Sakoda, J. M. (1981), A generalized index of dissimilarity, *Demography*
    18(2), 245-250; Reardon, S. F. & Firebaugh, G. (2002), Measures of multigroup
    segregation, *Sociological Methodology* 32, 33-67.

    Examples
    --------
    >>> round(multigroup_dissimilarity([[10, 0, 0], [0, 10, 0], [0, 0, 10]]), 12)
    1.0
    >>> multigroup_dissimilarity([[1, 2, 3], [2, 4, 6]])
    0.0
    """
    c, batch, t, p, T, P = _validated_shares(counts, groups)
    num = _group_sum(t[:, None] * np.abs(p - P[batch.codes]), batch)
    interaction = (P * (1.0 - P)).sum(axis=1)
    with quiet():
        return batch.out(num / (2.0 * T * interaction))


@shared_parameters
def multigroup_gini(counts, *, groups=None):
    r"""Gini index G of k >= 2 population groups (Reardon & Firebaugh 2002).

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    G : float or numpy.ndarray
        G in [0, 1]; NaN where fewer than two population groups are present.

    Notes
    -----
    .. math:: G = \frac{1}{2 T^2 I} \sum_k \sum_i \sum_j t_i t_j
              \lvert p_{ik} - p_{jk} \rvert

    Same as ``segregation.multigroup.MultiGini`` (which builds n x n matrices); computed
    here in :math:`O(n \log n)` by sorting each (municipality, population group) column
    by share, as in :func:`mixing.kernels.aspatial.gini`.

    References: Reardon & Firebaugh (2002), *Sociological Methodology* 32, 33-67.

    Examples
    --------
    >>> multigroup_gini([[10, 0], [0, 10]])
    1.0
    """
    c, batch, t, p, T, P = _validated_shares(counts, groups)
    n, K = c.shape
    # one segment per (municipality, population group): sort by segment, then by share
    seg = (batch.codes[:, None] * K + np.arange(K)[None, :]).ravel()
    share = p.ravel()
    weight = np.repeat(t, K)
    order = np.lexsort((share, seg))
    seg, share, weight = seg[order], share[order], weight[order]
    n_seg = batch.n_groups * K
    cum_t = exclusive_cumsum(weight, seg, n_seg)
    cum_tp = exclusive_cumsum(weight * share, seg, n_seg)
    per_seg = np.bincount(seg, weights=weight * (share * cum_t - cum_tp), minlength=n_seg)
    num = 2.0 * per_seg.reshape(batch.n_groups, K).sum(axis=1)  # both orders of each pair
    interaction = (P * (1.0 - P)).sum(axis=1)
    with quiet():
        return batch.out(num / (2.0 * T * T * interaction))


@shared_parameters
def normalized_exposure(counts, *, groups=None):
    r"""Normalized exposure P of all population groups (James 1986; Reardon & Firebaugh 2002).

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    NE : float or numpy.ndarray
        The index, >= 0. NaN where a population group is everyone (:math:`P_k = 1`).

    Notes
    -----
    .. math:: NE = \frac{1}{T} \sum_k \sum_i \frac{t_i (p_{ik} - P_k)^2}{1 - P_k}

    Same as ``segregation.multigroup.MultiNormExposure``. Note that it is *not* divided
    by k: Reardon & Firebaugh's normalised exposure weights each term by :math:`P_k`
    (:math:`\sum_k P_k \cdot \ldots`), ``segregation``'s sum does not; we follow
    ``segregation`` so numbers agree with it.

    References: James, F. J. (1986), A new generalized 'exposure-based' segregation index,
    *Sociological Methods & Research* 14(3), 301-316; Reardon & Firebaugh (2002).

    Examples
    --------
    >>> normalized_exposure([[1, 2], [2, 4]])
    0.0
    """
    c, batch, t, p, T, P = _validated_shares(counts, groups)
    Pu = P[batch.codes]
    with quiet():
        num = _group_sum(t[:, None] * (p - Pu) ** 2 / (1.0 - Pu), batch)
        return batch.out(num / T)


@shared_parameters
def information_theory(counts, *, groups=None):
    r"""Multigroup information theory index H (Theil 1972; Reardon & Firebaugh 2002).

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    H : float or numpy.ndarray
        H in [0, 1]; NaN where only one population group is present (E = 0).

    Notes
    -----
    .. math:: H = \frac{1}{T E} \sum_i \sum_k t_i p_{ik} \ln\frac{p_{ik}}{P_k}
              = \frac{M}{E}

    the mutual information M (:func:`mutual_information`) normalised by the entropy E of
    the municipality. Same as ``segregation.multigroup.MultiInfoTheory`` except for
    absent population groups (module docstring: :math:`0 \ln 0 = 0`, where
    ``segregation`` returns NaN).

    References: Theil, H. (1972), *Statistical Decomposition Analysis*, North-Holland;
    Reardon & Firebaugh (2002), *Sociological Methodology* 32, 33-67.

    Examples
    --------
    H is M divided by E:

    >>> counts = [[8, 2], [2, 8]]
    >>> M, E = mutual_information(counts), diversity(counts)
    >>> round(information_theory(counts), 6), round(M / E, 6)
    (0.278072, 0.278072)
    """
    c, batch, t, p, T, P = _validated_shares(counts, groups)
    num = _group_sum(t[:, None] * _xlogy_ratio(p, P[batch.codes]), batch)
    with quiet():
        return batch.out(num / (T * _entropy_rows(P)))


def _mutual_information(c: np.ndarray, batch: Batch) -> np.ndarray:
    t, p, T, P = _shares(c, batch)
    num = _group_sum(t[:, None] * _xlogy_ratio(p, P[batch.codes]), batch)
    with quiet():
        return num / T


@shared_parameters
def mutual_information(counts, *, groups=None):
    r"""Mutual information index M (Theil 1971; Mora & Ruiz-Castillo 2011), natural log.

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    M : float or numpy.ndarray
        M in nats, in [0, min(ln n, E)]; 0 for identical composition everywhere.

    Notes
    -----
    .. math:: M = \sum_i \frac{t_i}{T} \sum_k p_{ik} \ln\frac{p_{ik}}{P_k}

    the mutual information between unit and population group (Kullback-Leibler
    divergence of each unit's composition from the municipality's, weighted by unit
    size). It is additively decomposable (:func:`mutual_information_decomposition`).
    Equals ``segregation.multigroup.MultiDivergence`` (Roberto's divergence index D).
    Divide by :math:`\ln 2` for bits.

    References: Theil, H. & Finizza, A. J. (1971); Mora, R. & Ruiz-Castillo, J. (2011),
    Entropy-based segregation indices, *Sociological Methodology* 41, 159-194; Elbers, B.
    (2023), A method for studying differences in segregation across time and space,
    *Sociological Methods & Research* 52(1), 5-42.

    Examples
    --------
    >>> round(mutual_information([[10, 0], [0, 10]]), 6)  # ln 2
    0.693147
    """
    c, _, batch = multigroup_counts(counts, groups)
    return batch.out(_mutual_information(c, batch))


@shared_parameters
def relative_diversity(counts, *, groups=None):
    r"""Relative diversity index R, multigroup (Carlson 1992; Reardon & Firebaugh 2002).

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    R : float or numpy.ndarray
        R in [0, 1]: 0 when every unit has the mix of the municipality, 1 when no unit
        is mixed. NaN where fewer than two population groups are present.

    Notes
    -----
    .. math:: R = \frac{1}{T I} \sum_i \sum_k t_i (p_{ik} - P_k)^2

    the proportional reduction of Simpson's interaction I within units. Same as
    ``segregation.multigroup.MultiRelativeDiversity``.

    References: Carlson, S. M. (1992), Trends in race/sex occupational inequality,
    *Social Problems* 39(3), 268-290; Reardon & Firebaugh (2002).

    Examples
    --------
    Within-unit interaction 0.32 against 0.5 in the whole municipality:

    >>> round(relative_diversity([[8, 2], [2, 8]]), 6)
    0.36
    """
    c, batch, t, p, T, P = _validated_shares(counts, groups)
    num = _group_sum(t[:, None] * (p - P[batch.codes]) ** 2, batch)
    with quiet():
        return batch.out(num / (T * (P * (1.0 - P)).sum(axis=1)))


@shared_parameters
def squared_coefficient_of_variation(counts, *, groups=None):
    r"""Multigroup squared coefficient of variation C (Reardon & Firebaugh 2002).

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    C : float or numpy.ndarray
        C >= 0. A population group absent from the municipality (:math:`P_k = 0`) is
        left out, as by every multigroup index (module conventions); NaN where fewer
        than two population groups are present.

    Notes
    -----
    .. math:: C = \sum_{k: P_k > 0} \sum_i \frac{t_i (p_{ik} - P_k)^2}{(K' - 1)\, T P_k}

    with :math:`K'` the number of population groups present. Same as
    ``segregation.multigroup.MultiSquaredCoefVar`` when every group is present
    (``segregation`` returns NaN otherwise).

    References: Reardon & Firebaugh (2002), *Sociological Methodology* 32, 33-67.

    Examples
    --------
    >>> squared_coefficient_of_variation([[10, 0], [0, 10]])
    1.0
    >>> squared_coefficient_of_variation([[10, 0, 0], [0, 10, 0]])  # group 3 absent
    1.0
    >>> squared_coefficient_of_variation([[10, 0], [5, 0]])  # one group: undefined
    nan
    """
    c, batch, t, p, T, P = _validated_shares(counts, groups)
    present = P > 0
    K = present.sum(axis=1)
    Pu = P[batch.codes]
    with quiet():
        terms = np.where(present[batch.codes], (p - Pu) ** 2 / Pu, 0.0)
        num = _group_sum(t[:, None] * terms, batch)
        out = num / (T * (K - 1))
    return batch.out(np.where(K >= 2, out, np.nan))


def _global_shares(counts, groups):
    c, batch, _, _, _, P = _validated_shares(counts, groups)
    return P, batch


@shared_parameters
def diversity(counts, *, groups=None, normalized=False):
    r"""Entropy (diversity) of the municipality's population mix (Theil 1972).

    Parameters
    ----------
    {MULTI_PARAMETERS}
    normalized : bool, default False
        Divide by :math:`\ln K'`, K' the number of population groups present (module
        conventions), so that the result is in [0, 1]; 0 with one group present.

    Returns
    -------
    E : float or numpy.ndarray
        E in [0, ln K] (nats). A diversity, not a segregation index: it ignores how the
        groups are spread over units.

    Notes
    -----
    .. math:: E = -\sum_k P_k \ln P_k

    Same as ``segregation.multigroup.MultiDiversity`` except :math:`0 \ln 0 = 0` where
    it returns NaN for an absent population group.

    References: Theil (1972); Reardon & Firebaugh (2002).

    Examples
    --------
    >>> round(diversity([[5, 5], [5, 5]]), 6)  # ln 2
    0.693147
    >>> diversity([[5, 5], [5, 5]], normalized=True)
    1.0
    """
    P, batch = _global_shares(counts, groups)
    E = _entropy_rows(P)
    if normalized:
        present = (P > 0).sum(axis=1)
        with quiet():
            E = np.where(present >= 2, E / np.log(np.maximum(present, 2)), 0.0 * E)
    return batch.out(E)


@shared_parameters
def simpsons_concentration(counts, *, groups=None):
    r"""Simpson's concentration index :math:`\lambda` (Simpson 1949).

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    lambda : float or numpy.ndarray
        :math:`\lambda` in [1/K, 1]: the chance that two residents drawn at random (with
        replacement) belong to the same population group.

    Notes
    -----
    .. math:: \lambda = \sum_k P_k^2

    Same as ``segregation.multigroup.SimpsonsConcentration``.

    References: Simpson, E. H. (1949), Measurement of diversity, *Nature* 163, 688.

    Examples
    --------
    >>> round(simpsons_concentration([[9, 1], [9, 1]]), 6)  # 0.9² + 0.1²
    0.82
    """
    P, batch = _global_shares(counts, groups)
    return batch.out((P * P).sum(axis=1))


@shared_parameters
def simpsons_interaction(counts, *, groups=None):
    r"""Simpson's interaction index I (Simpson 1949), a.k.a. the Gini-Simpson diversity.

    Parameters
    ----------
    {MULTI_PARAMETERS}

    Returns
    -------
    I : float or numpy.ndarray
        I in [0, 1 - 1/K]: the chance that two residents drawn at random (with
        replacement) belong to different population groups.

    Notes
    -----
    .. math:: I = \sum_k P_k (1 - P_k) = 1 - \lambda

    Same as ``segregation.multigroup.SimpsonsInteraction``.

    References: Simpson (1949); Reardon & Firebaugh (2002).

    Examples
    --------
    >>> counts = [[9, 1], [9, 1]]
    >>> round(simpsons_interaction(counts), 6), round(1 - simpsons_concentration(counts), 6)
    (0.18, 0.18)
    """
    P, batch = _global_shares(counts, groups)
    return batch.out((P * (1.0 - P)).sum(axis=1))


@dataclass(frozen=True)
class MutualInformationDecomposition:
    r"""M of a municipality split into segregation between and within clusters.

    Attributes
    ----------
    total : float or numpy.ndarray
        M over the units.
    between : float or numpy.ndarray
        M over the clusters, each cluster's units pooled into one unit.
    within : float or numpy.ndarray
        :math:`\sum_c (T_c / T) M_c`: the population-weighted M inside each cluster.
        ``total == between + within`` up to rounding.
    H_total, H_between, H_within : float or numpy.ndarray
        Theil's H split the same way: each M part divided by the entropy E of the
        whole municipality's population mix, so ``H_total == H_between + H_within``
        (as R ``segregation::mutual_total(..., within=)``). NaN where E = 0.
    entropy : float or numpy.ndarray
        E (nats), the divisor of the H parts.

    Notes
    -----
    The within part of H is *not* the population-weighted mean of the clusters' own H
    values: each cluster's H divides by the cluster's entropy :math:`E_c`, so
    :math:`H_{\text{within}} = \sum_c (T_c / T)(E_c / E) H_c` (Mora & Ruiz-Castillo
    2011; R's ``mutual_within`` reports the factors ``p`` and ``ent_ratio``).
    """

    total: float | np.ndarray
    between: float | np.ndarray
    within: float | np.ndarray
    H_total: float | np.ndarray = np.nan
    H_between: float | np.ndarray = np.nan
    H_within: float | np.ndarray = np.nan
    entropy: float | np.ndarray = np.nan


@shared_parameters
def mutual_information_decomposition(counts, clusters, *, groups=None):
    r"""Decompose M into between-cluster and within-cluster segregation.

    Parameters
    ----------
    {MULTI_COUNTS}
    clusters : array_like
        One cluster id per unit (e.g. the wijk code of each buurt); any sortable dtype.
    groups : array_like, optional
        One id per unit (e.g. municipality); if given, every field of the result is an
        array with one value per group in ``np.unique(groups)`` order. Cluster ids only
        need to be unique within a group.

    Returns
    -------
    MutualInformationDecomposition
        ``total``, ``between`` and ``within``, with ``total = between + within``, and
        the same three parts of Theil's H (``H_total = H_between + H_within``).

    Notes
    -----
    M is additively decomposable (Theil 1972; Mora & Ruiz-Castillo 2011):

    .. math:: M = M_{\text{between}} + \sum_c \frac{T_c}{T} M_c, \qquad
              H = \frac{M}{E} = \frac{M_{\text{between}}}{E}
                + \sum_c \frac{T_c}{T} \frac{E_c}{E} H_c

    where :math:`M_{\text{between}}` is M of the cluster-level counts and :math:`M_c` is
    M of the units of cluster c measured against the composition of cluster c. Units
    with NaN counts or zero total are excluded everywhere. A cluster whose units are all
    excluded contributes nothing.

    References: Theil (1972); Mora & Ruiz-Castillo (2011), *Sociological Methodology*
    41, 159-194; Elbers (2023), *Sociological Methods & Research* 52(1), 5-42.

    Examples
    --------
    >>> counts = [[10, 0], [0, 10], [5, 5], [5, 5]]
    >>> d = mutual_information_decomposition(counts, ["a", "a", "b", "b"])
    >>> round(d.total, 6), round(d.between, 6), round(d.within, 6)
    (0.346574, 0.0, 0.346574)
    """
    c, valid, batch = multigroup_counts(counts, groups)
    cl = make_batch(clusters, c.shape[0])
    # (group, cluster) cells, numbered in (group, cluster) order
    pair = batch.codes * cl.n_groups + cl.codes
    cells, cell_codes = np.unique(pair, return_inverse=True)
    cell_batch = Batch(cell_codes.astype(np.int64), int(cells.shape[0]), cells)
    cell_group = cells // cl.n_groups
    # between: pool each cell's units into one unit, then M per group
    pooled = np.stack([cell_batch.sum(c[:, k]) for k in range(c.shape[1])], axis=1)
    between_batch = Batch(cell_group, batch.n_groups, batch.labels)
    between = _mutual_information(pooled, between_batch)
    # within: M inside each cell (NaN for a cell with no valid unit), weighted by its size
    m_cell = _mutual_information(c, cell_batch)
    t_cell = pooled.sum(axis=1)
    T = batch.sum(c.sum(axis=1))
    with quiet():
        within = (
            np.bincount(
                cell_group,
                weights=np.where(t_cell > 0, t_cell * m_cell, 0.0),
                minlength=batch.n_groups,
            )
            / T
        )
    total = _mutual_information(c, batch)
    _, _, _, P = _shares(c, batch)
    E = _entropy_rows(P)
    with quiet():
        H = [np.where(E > 0, part / E, np.nan) for part in (total, between, within)]
    return MutualInformationDecomposition(
        total=batch.out(total), between=batch.out(between), within=batch.out(within),
        H_total=batch.out(H[0]), H_between=batch.out(H[1]), H_within=batch.out(H[2]),
        entropy=batch.out(E),
    )
