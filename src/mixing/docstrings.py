"""Docstring sections that several public functions and results share, written once.

Parameter descriptions of the kernels and the scenario transforms, and the fields the
result classes share. A docstring names a block with a token on its own line
(``{COUNTS}``, ``{GROUPS}``, ``{MULTI_COUNTS}``, ``{PROXIMITY_PARAMETERS}``, ...);
:func:`shared_parameters` puts the text in at import, so help(), the docs and the
doctests see the full docstring.
"""

from __future__ import annotations

import re

__all__ = ["shared_parameters"]

_BLOCKS = {
    "{R_SEED_BASE}": """seed : int, numpy.random.Generator or None
        Root seed; each municipality draws from its own stream keyed by its id.
    base : float, default e
        Base of the logarithm (R ``base``).""",
    "{R_BOOTSTRAP}": """replicates : int, default 100
        Bootstrap replicates (R's ``n_bootstrap``).
    ci : float, default 0.95
        Coverage of the percentile interval.
    {R_SEED_BASE}""",
    "{COUNTS}": """group : array_like
        Count of the group of interest per unit, 1-D.
    total : array_like
        Total count per unit, same length, ``group <= total``.""",
    "{GROUPS}": """groups : array_like, optional
        One id per unit (e.g. the municipality code); if given, one value per group in
        ``np.unique(groups)`` order.""",
    "{MULTI_COUNTS}": """counts : array_like
        (units, k) counts, one column per population group, k >= 2.""",
    "{PROXIMITY_PARAMETERS}": """distances : scipy sparse matrix or numpy.ndarray
        ``(n, n)`` centroid distances in metres (:attr:`SpatialInputs.distances`). A
        dense array counts every pair; a sparse matrix counts its stored pairs, which
        for ``match_segregation=True`` must be all pairs of the same group.
    areas : array_like
        Area per unit, m² (:attr:`SpatialInputs.areas`), for the self-distance.
    {GROUPS}
    alpha, beta : float, default 0.6, 0.5
        Self-distance :math:`d_{ii} = (\\alpha a_i)^\\beta` (White 1983).
    match_segregation : bool, default True
        Use ``segregation`` 2.5's proximity matrix (see :func:`proximity_matrix`);
        False uses Massey & Denton's :math:`c_{ij} = \\exp(-d_{ij} / s)`.
    distance_scale : float, default 1000.0
        :math:`s` in metres for ``match_segregation=False`` (distances in km, as in
        the literature); ignored otherwise.""",
    "{SCENARIO_UNITS}": """units : GeoDataFrame
        Canonical units table of one municipality, buurt level.""",
    # mixing.kernels.autocorr: the parameters and result fields its statistics share
    "{AUTOCORR_VALUES}": """y : array-like
        One value per unit (no NaN: drop unknown units first, see the package notes).""",
    "{AUTOCORR_WEIGHTS}": """w : SpatialWeights or (n, n) matrix
        Spatial weights (:func:`mixing.geometry.weights.build_weights`); block-diagonal
        when ``groups`` is given.""",
    "{AUTOCORR_PERMUTATIONS}": """permutations : int, default 999
        Random permutations for ``p_sim`` (0 = none: the permutation fields are NaN);
        local statistics permute conditionally, unit by unit (see the package notes).
    seed : int, numpy.random.Generator or None
        Seed of the permutations; each group draws from its own generator keyed by its
        label, so its p-values do not depend on the other groups of the call.""",
    "{AUTOCORR_GROUPS}": """groups : array-like, optional
        One group id per unit (e.g. the municipality code), with block-diagonal ``w``:
        values are centred and permuted within each group, so one call computes every
        municipality; global fields are then arrays in sorted group-id order.""",
    "{AUTOCORR_TRANSFORMATION}": """transformation : {"r", "b"}, default "r"
        Row-standardised (esda's default) or binary weights.""",
    "{LOCAL_SIGNIFICANCE}": """alpha : float, default 0.05
        Significance level for ``significant`` / ``significant_adjusted``.
    adjust : {"fdr", "bonferroni", None}, default "fdr"
        Multiple-testing adjustment within each group
        (:func:`mixing.kernels.autocorr.adjust_pvalues`).""",
    "{LOCAL_ALTERNATIVE}": """alternative : {"two-sided", "greater", "less", "folded", "directed"}
        Alternative hypothesis of ``p_sim`` (:func:`mixing.kernels.autocorr.pseudo_p`),
        "two-sided" by default.""",
    "{MORAN_PARAMETERS}": """{AUTOCORR_WEIGHTS}
    {AUTOCORR_PERMUTATIONS}
    {AUTOCORR_GROUPS}
    {AUTOCORR_TRANSFORMATION}
    two_tailed : bool, default True
        Double the normal p-values (esda's default).""",
    "{LISA_PARAMETERS}": """{AUTOCORR_WEIGHTS}
    {AUTOCORR_PERMUTATIONS}
    {LOCAL_SIGNIFICANCE}
    {AUTOCORR_GROUPS}
    {AUTOCORR_TRANSFORMATION}
    {LOCAL_ALTERNATIVE}""",
    "{EB_RATE_INPUT}": """events : array-like
        Events per unit (e.g. low-income households), >= 0, no NaN.
    base : array-like
        Population at risk per unit (e.g. households), > 0, no NaN.""",
    "{GLOBAL_SIM_ATTRIBUTES}": """p_sim : float or ndarray
        Permutation pseudo p-value :math:`(\\min(L, S) + 1) / (R + 1)` (NaN without
        permutations; see the package notes).
    z_sim : float or ndarray
        The statistic standardised against its permutation distribution.
    expected_sim : float or ndarray
        Mean of the permuted statistic.
    permutations : int
    groups : ndarray or None
        Group ids (sorted) the arrays refer to; None without ``groups``.""",
    "{LOCAL_INFERENCE_ATTRIBUTES}": """p_sim : ndarray
        Conditional-permutation pseudo p-values for ``alternative``.
    z_sim, expected_sim : ndarray
        Standardised statistic against, and mean of, its permutation distribution.
    p_adjusted : ndarray
        ``p_sim`` adjusted for multiple testing within each group (``adjust``), else
        equal to ``p_sim``.
    significant : ndarray of bool
        ``p_sim <= alpha``.
    significant_adjusted : ndarray of bool
        ``p_adjusted <= alpha``.
    alpha : float
    adjust : str or None
    permutations : int
    alternative : str
        See :func:`mixing.kernels.autocorr.pseudo_p`.""",
    # the two-group, multigroup, local and spatial kernels
    "{TWO_GROUP_PARAMETERS}": """{COUNTS}
    {GROUPS}""",
    "{MULTI_PARAMETERS}": """{MULTI_COUNTS}
    {GROUPS}""",
    "{DECAY_PARAMETERS}": """{COUNTS}
    {PROXIMITY_PARAMETERS}""",
    "{ITERATIONS}": """iterations : int, default 500
        Number of simulated random allocations.""",
    "{SEED}": """seed : int, numpy.random.Generator or None
        Seed of the simulation; each group draws from its own stream keyed by its label
        (see :func:`mixing.kernels.grouping.group_generators`). None draws fresh
        entropy: the result is then not reproducible.""",
    "{THRESHOLDS}": """m : int, default 1000
        Number of thresholds on the grid ``linspace(0, 1, m)``.""",
    "{LOCAL_PARAMETERS}": """{MULTI_COUNTS}
    groups : array_like, optional
        One id per unit. Validated only: the value depends on the unit alone.
    empty : {"segregation", "nan"}, default "segregation"
        Value for a unit with total 0: "segregation" gives what PySAL gives (see Notes);
        "nan" gives NaN, the corrected variant: an empty unit is not "unmixed", it is
        unobserved.""",
    "{AREA_PARAMETERS}": """{COUNTS}
    areas : array_like
        Area per unit, m² (:attr:`SpatialInputs.areas`).
    {GROUPS}""",
    # mixing.kernels.inference: the fields every simulation result carries
    "{SIMULATED_FIELDS}": """n_valid : int or numpy.ndarray
        Replicates with a defined value (those the summaries and p-values use).
    simulated : numpy.ndarray
        The simulated values, shape ``(R,)`` or ``(R, n_groups)``; NaN where undefined.
    labels : numpy.ndarray or None
        Group ids, ``np.unique(groups)``; None without ``groups``.""",
}


def shared_parameters(func):
    """Replace the shared-block tokens in ``func.__doc__`` (a decorator).

    Blocks may hold tokens themselves ({DECAY_PARAMETERS} holds {PROXIMITY_PARAMETERS},
    which holds {GROUPS}): tokens are replaced until none is left, and a token that is
    not a block (a typo) is an error at import, not a gap in the documentation.
    """
    doc, previous = func.__doc__ or "", None
    while doc != previous:
        previous = doc
        for token, text in _BLOCKS.items():
            doc = doc.replace(token, text)
    unknown = re.findall(r"^\s*(\{[A-Z_]+\})\s*$", doc, flags=re.M)
    if unknown:
        raise ValueError(f"{func.__qualname__}: unknown docstring blocks {unknown}")
    func.__doc__ = doc
    return func
