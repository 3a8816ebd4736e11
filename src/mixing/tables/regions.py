r"""Segregation of regions of several municipalities, split between and within municipalities.

A region (a metropolitan area, a province, the Randstad) is a set of municipalities. Its
residential segregation has two parts: municipalities differ from each other (between),
and buurten differ inside each municipality (within). The mutual information index M is
additively decomposable in exactly this way (Theil 1972; Mora & Ruiz-Castillo 2011):

.. math:: M = M_{\text{between}} + \sum_c \frac{T_c}{T} M_c

with :math:`M_{\text{between}}` the M of the municipality totals, :math:`M_c` the M of
municipality c's buurten against c's own composition and :math:`T_c / T` its population
share. Dividing by the region's entropy :math:`E` gives the same split of Theil's H
(:math:`H = M / E`). The kernel is
:func:`mixing.kernels.multigroup.mutual_information_decomposition`
with ``clusters`` = municipality and ``groups`` = region: all regions in one call.

A unit may belong to several regions (a municipality in a province and in a metropolitan
area): units are repeated once per region they belong to, so regions are independent.

The whole country is one such region, under CBS's code for the Netherlands,
:data:`COUNTRY` (``NL00``): :func:`country_decomposition` splits every dimension the units
hold, and :func:`as_one_area` relabels the units so the per-municipality tables and maps
(autocorrelation across municipal borders, LISA clusters) treat the country as one area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixing.catalogue import HEADLINE_INDICES, INDICES
from mixing.checks import quiet
from mixing.dimensions import DIMENSIONS, group_counts, multi_dimension, present
from mixing.errors import InputError
from mixing.kernels import multigroup
from mixing.tables.frames import index_table

__all__ = [
    "COUNTRY",
    "DEFAULT_REGION_INDICES",
    "RegionResult",
    "as_one_area",
    "composition",
    "country_decomposition",
    "country_indices",
    "region_indices",
]

#: CBS's region code of the Netherlands: results/NL00/ holds the country as one area.
COUNTRY = "NL00"

DEFAULT_REGION_INDICES = ("multigroup_dissimilarity", "information_theory",
                          "mutual_information", "normalized_exposure")


def composition(units: pd.DataFrame, groups: str | Sequence[str]) -> np.ndarray:
    """Counts per unit and population group, ``(units, k)``, for a named group set.

    Parameters
    ----------
    units : DataFrame
        Canonical units table.
    groups : str or sequence of str
        A multigroup dimension (:data:`mixing.dimensions.MULTI_DIMENSIONS`, e.g.
        ``"migration_background"``, whose last group is the rest of the population), a
        two-group dimension (:data:`mixing.dimensions.DIMENSIONS`: the group and the rest
        of its total, e.g. social and other dwellings) or count column names.

    Returns
    -------
    numpy.ndarray
        Float counts; NaN where a column is unknown (the kernels then exclude the unit).

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"population": [100.0], "population_migration_western": [10.0],
    ...                   "population_migration_nonwestern": [30.0]})
    >>> composition(u, "migration_background")
    array([[10., 30., 60.]])
    """
    if isinstance(groups, str) and groups in DIMENSIONS:
        two = DIMENSIONS[groups]
        columns, rest_of = (two.group,), two.total
    elif isinstance(groups, str):
        dim = multi_dimension(groups)
        columns, rest_of = dim.columns, dim.rest_of
    else:
        columns, rest_of = tuple(groups), None
    missing = [c for c in columns + ((rest_of,) if rest_of else ()) if c not in units]
    if missing:
        raise InputError(f"the units lack the columns {missing} of the groups {groups!r}",
                         fix="read a table that has them (e.g. the 2024 table for 'origin')")
    if isinstance(groups, str) and groups in DIMENSIONS:
        group = units[columns[0]].to_numpy(dtype=np.float64)
        rest = units[rest_of].to_numpy(dtype=np.float64) - group
        return np.column_stack([group, np.clip(rest, 0, None)])  # CBS rounds each count
    if isinstance(groups, str):
        return group_counts(units, groups)
    return units[list(columns)].to_numpy(dtype=np.float64)


@dataclass(frozen=True, eq=False)
class RegionResult:
    """Result of :func:`region_indices`.

    Attributes
    ----------
    indices : DataFrame
        ``region, dimension, index, value, n_units, n_municipalities, population``: the
        multigroup indices of the group set (``dimension`` = its name) and, for each
        two-group dimension asked for, the two-group indices, for the region as a whole.
    decomposition : DataFrame
        ``region, dimension, component, M, H, share``; ``component`` is ``total``,
        ``between`` (municipalities) or ``within`` (buurten inside municipalities);
        ``share`` = component / total. ``between + within == total``.
    municipalities : DataFrame
        ``region, dimension, municipality_code, population, population_share, entropy,
        M, H, contribution_M, contribution_H, share_of_within``: per municipality its own
        M and H and its weighted contribution :math:`(T_c / T) M_c` to ``within``
        (``contribution_H`` divides by the region's entropy). Contributions add up to
        the within component.
    """

    indices: pd.DataFrame
    decomposition: pd.DataFrame
    municipalities: pd.DataFrame


def _stack(units: pd.DataFrame, regions: Mapping[str, Sequence[str]]):
    if not regions:
        raise InputError("regions is empty", fix="pass {'name': ['GM0518', 'GM0599'], ...}")
    present = set(units["municipality_code"].dropna())
    rows, labels = [], []
    for name, members in regions.items():
        members = [members] if isinstance(members, str) else list(members)
        absent = [m for m in members if m not in present]
        if absent or not members:
            raise InputError(f"region {name!r}: municipalities {absent} are not in the units",
                             value=members, fix="read those municipalities too, or fix the codes")
        rows.append(np.flatnonzero(units["municipality_code"].isin(members).to_numpy()))
        labels.append(np.full(rows[-1].size, name, dtype=object))
    return np.concatenate(rows), np.concatenate(labels)


def region_indices(
    units: pd.DataFrame,
    regions: Mapping[str, Sequence[str]],
    *,
    groups: str | Sequence[str] = "origin",
    indices: Sequence[str] = DEFAULT_REGION_INDICES,
    dimensions: Sequence[str] = (),
) -> RegionResult:
    r"""Indices of each region and the between/within-municipality split of M and H.

    Parameters
    ----------
    units : DataFrame
        Canonical units of one level (buurt) and one year, for all member municipalities.
    regions : mapping of str to list of str
        Region name -> GM codes, e.g. ``{"Zuidvleugel": ["GM0518", "GM0599"]}``.
    groups : str or sequence of str, default "origin"
        Population groups for the multigroup indices (:func:`composition`).
    indices : sequence of str
        Kernels of :mod:`mixing.kernels.multigroup`.
    dimensions : sequence of str, optional
        Two-group dimensions of :data:`mixing.dimensions.DIMENSIONS` to add (each computed
        with :func:`mixing.tables.frames.index_table` over the whole region).

    Returns
    -------
    RegionResult

    Notes
    -----
    With unit i in municipality c in region r, group k:

    .. math::
        M_r = \underbrace{\sum_c \frac{T_c}{T} \sum_k p_{ck} \ln\frac{p_{ck}}{P_k}}_{
              \text{between}} + \underbrace{\sum_c \frac{T_c}{T} M_c}_{\text{within}},
        \qquad H_r = M_r / E_r

    A region of one municipality has between = 0 and within = M. Units with unknown
    counts or no residents are excluded (:mod:`mixing.kernels.multigroup`).

    References: Theil, H. (1972), *Statistical Decomposition Analysis*; Mora, R. &
    Ruiz-Castillo, J. (2011), Entropy-based segregation indices, *Sociological
    Methodology* 41, 159-194; Elbers, B. (2023), *Sociological Methods & Research* 52(1).

    Examples
    --------
    >>> result = region_indices(nl_2024, {"Zuidvleugel": ["GM0518", "GM0599"]})  # doctest: +SKIP
    >>> result.decomposition  # doctest: +SKIP
    """
    for column in ("level", "year"):
        if column in units and units[column].nunique() > 1:
            raise InputError(f"units mix several values of {column}: "
                             f"{sorted(units[column].unique())}", column=column,
                             fix=f"filter units to one {column} first")
    unknown = [i for i in indices if i not in multigroup.__all__ or i.startswith("Mutual")]
    if unknown:
        raise InputError(f"unknown multigroup indices {unknown}; valid: "
                         f"{sorted(n for n in multigroup.__all__ if n[0].islower())}")
    name = groups if isinstance(groups, str) else "+".join(groups)
    rows, region = _stack(units, regions)
    counts = composition(units, groups)[rows]
    municipality = units["municipality_code"].to_numpy(dtype=object)[rows]
    labels = np.array(list(regions), dtype=object)
    order = {r: i for i, r in enumerate(sorted(labels))}
    region_id = np.array([order[r] for r in region])
    usable = np.isfinite(counts).all(axis=1) & (counts.sum(axis=1) > 0)
    n_units = np.bincount(region_id[usable], minlength=len(order))
    population = np.bincount(region_id[usable], weights=counts[usable].sum(axis=1),
                             minlength=len(order))
    region_names = np.array(sorted(labels), dtype=object)
    n_mun = pd.Series(municipality).groupby(region_id).nunique().reindex(
        range(len(order))).to_numpy()
    frames = []
    for index in indices:
        values = getattr(multigroup, index)(counts, groups=region_id)
        frames.append(pd.DataFrame({"region": region_names, "dimension": name, "index": index,
                                    "value": values, "n_units": n_units,
                                    "n_municipalities": n_mun, "population": population}))
    if dimensions:
        unknown = [d for d in dimensions if d not in DIMENSIONS]
        if unknown:
            raise InputError(f"unknown dimensions {unknown}; valid: {sorted(DIMENSIONS)}")
        stacked = units.iloc[rows].assign(municipality_code=region)
        two = index_table(stacked, dimensions=tuple(dimensions), indices=HEADLINE_INDICES,
                          inference_indices=()).rename(
            columns={"municipality_code": "region"})
        two["n_municipalities"] = two["region"].map(dict(zip(region_names, n_mun, strict=True)))
        two["population"] = two["region"].map(dict(zip(region_names, population, strict=True)))
        frames.append(two[["region", "dimension", "index", "value", "n_units",
                           "n_municipalities", "population"]])
    index_frame = pd.concat(frames, ignore_index=True)

    parts = multigroup.mutual_information_decomposition(counts, municipality, groups=region_id)
    entropy = multigroup.diversity(counts, groups=region_id)
    with quiet():
        decomposition = pd.concat([
            pd.DataFrame({"region": region_names, "dimension": name, "component": component,
                          "M": value, "H": value / entropy, "share": value / parts.total})
            for component, value in (("total", parts.total), ("between", parts.between),
                                     ("within", parts.within))], ignore_index=True)
    decomposition = decomposition.sort_values(["region", "component"], kind="stable",
                                              ignore_index=True)
    municipalities = _municipalities(counts, region_id, municipality, region_names, entropy,
                                     parts.within, name)
    return RegionResult(index_frame, decomposition, municipalities)


def _municipalities(counts, region_id, municipality, region_names, region_entropy,
                    within, name) -> pd.DataFrame:
    """Per (region, municipality): M_c, H_c and the contribution (T_c / T) M_c."""
    pair = pd.MultiIndex.from_arrays([region_id, municipality])
    pair_codes, pair_labels = pd.factorize(pair, sort=True)
    m_c = np.atleast_1d(multigroup.mutual_information(counts, groups=pair_codes))
    e_c = np.atleast_1d(multigroup.diversity(counts, groups=pair_codes))
    usable = np.isfinite(counts).all(axis=1) & (counts.sum(axis=1) > 0)
    t_c = np.bincount(pair_codes[usable], weights=counts[usable].sum(axis=1),
                      minlength=len(pair_labels))
    rid = pair_labels.get_level_values(0).to_numpy()
    T = np.bincount(rid, weights=t_c, minlength=len(region_names))
    with quiet():
        weight = t_c / T[rid]
        contribution = np.where(t_c > 0, weight * m_c, 0.0)
        return pd.DataFrame({
            "region": region_names[rid], "dimension": name,
            "municipality_code": pair_labels.get_level_values(1).to_numpy(),
            "population": t_c, "population_share": weight, "entropy": e_c, "M": m_c,
            "H": m_c / e_c, "contribution_M": contribution,
            "contribution_H": contribution / region_entropy[rid],
            "share_of_within": contribution / within[rid],
        })


def as_one_area(units: pd.DataFrame, code: str = COUNTRY,
                name: str = "Nederland") -> pd.DataFrame:
    """The units of many municipalities as one area ``code``, for the per-area tables.

    ``municipality_code`` becomes ``code``, and each unit's name says which municipality
    it lies in (``"1011 (GM0363)"``), so maps and local tables keep that fact.

    Examples
    --------
    >>> u = pd.DataFrame({"unit_code": ["1011"], "unit_name": ["1011"],
    ...                   "municipality_code": ["GM0363"], "municipality_name": [None]})
    >>> as_one_area(u)[["unit_name", "municipality_code"]].values.tolist()
    [['1011 (GM0363)', 'NL00']]
    """
    out = units.copy()
    where = out["municipality_name"].where(out["municipality_name"].notna(),
                                           out["municipality_code"]).astype(str)
    out["unit_name"] = out["unit_name"].astype(str) + " (" + where + ")"
    out["municipality_code"] = code
    out["municipality_name"] = name
    return out


def country_decomposition(units: pd.DataFrame, code: str = COUNTRY) -> RegionResult:
    r"""Every dimension of the units over the whole country, split between and within
    municipalities (:func:`region_indices` with one region holding every municipality).

    Parameters
    ----------
    units : DataFrame
        Canonical units of one level and year, of all municipalities.
    code : str
        Name of the region in the tables (CBS: ``NL00``).

    Returns
    -------
    RegionResult
        Stacked over the dimensions :func:`mixing.dimensions.present` finds: two-group
        dimensions (group versus the rest of its total, e.g. social versus other
        dwellings) and multigroup ones; ``indices`` adds the two-group indices of the
        country as a whole.

    Notes
    -----
    For each dimension, :math:`M = M_{\text{between}} + \sum_c (T_c/T) M_c` with c the
    municipalities (Theil 1972; Mora & Ruiz-Castillo 2011); see :func:`region_indices`.
    """
    names = present(units)
    if not names:
        raise InputError("the units hold no complete dimension",
                         fix="read a table with dwellings by tenure or population groups")
    members = {code: sorted(units["municipality_code"].dropna().unique())}
    parts = [region_indices(units, members, groups=name,
                            dimensions=(name,) if name in DIMENSIONS else ())
             for name in names]
    return RegionResult(*(pd.concat([getattr(p, f) for p in parts], ignore_index=True)
                          for f in ("indices", "decomposition", "municipalities")))


def country_indices() -> tuple[str, ...]:
    """The catalogue's indices that need no unit-by-unit distance matrix.

    For the ~4,000 PC4 areas of the country an ``(n, n)`` float matrix is 130 MB, and the
    distance-based kernels hold several: over 1 GB. The country as one area therefore
    reports the aspatial, contiguity-based and multigroup indices.
    """
    return tuple(name for name, spec in INDICES.items() if "distances" not in spec.needs)
