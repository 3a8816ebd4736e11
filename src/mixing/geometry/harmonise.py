r"""Put several years of units on one geometry: match by code, else areal interpolation.

CBS redraws buurten now and then (and Amsterdam recoded every buurt in 2022), so a
comparison across years needs every year on *one* geometry, the target. For each year:

* a unit whose code exists in the target and whose CBS change flag says "unchanged" (or
  that has no flag) is **matched by code**: its counts are copied;
* every other unit is **interpolated**: its extensive counts are spread over the target
  units that are not matched by code, in proportion to the overlapping area
  (areal weighting, Goodchild & Lam 1980); intensive values (means) become weighted means.

The expensive part, the source x target table of intersection areas, is built once by
:func:`area_table` and can be passed in (as ``tobler``'s ``table=``).

Why not ``tobler``
------------------
PySAL ``tobler`` (``area_interpolate``) is the field's reference implementation, but it is
not a dependency of ``mixing`` and what is needed here is small: one STRtree query, one
vectorised :func:`shapely.intersection`, one sparse matrix. :func:`area_table` and
:func:`interpolate` are tested against hand computations on ``shapely.box`` lattices.
Areal weighting here equals ``tobler.area_weighted.area_interpolate`` with
``allocate_total=True`` for extensive variables; for intensive variables ``tobler`` weights
by area only, we weight by the interpolated count the mean refers to (population for
``mean_income``, dwellings for ``mean_woz``), falling back to area.

Notes
-----
With :math:`A_{st}` the area of source :math:`s` intersected with target :math:`t` and
:math:`a_s = \sum_t A_{st}` (``allocate_total=True``; the source's own area otherwise), an
extensive count :math:`x` and an intensive value :math:`v` with weight count :math:`w`:

.. math:: \hat x_t = \sum_s x_s \frac{A_{st}}{a_s}, \qquad
          \hat v_t = \frac{\sum_s v_s w_s A_{st} / a_s}{\sum_s w_s A_{st} / a_s}

Areal weighting assumes residents are spread evenly over each source unit; where they
are not (a park, a harbour) the interpolated counts are biased, which is why units that
can be matched by code never go through it. Unknown (NaN) parts are skipped, as in
:func:`mixing.io.aggregate.aggregate_units`; a target is NaN only when all its parts are
unknown or nothing reaches it.

CBS change flag: the kerncijfers column *Indelingswijziging wijken en buurten* (here an
optional column ``boundary_change``) is 1 when code and boundary are unchanged since the
previous year, 2 when the code changed but the boundary did not (or hardly), 3 when the
boundary changed. It describes the change against the *previous* year only; for years
further apart pass the codes known to have changed with ``changed=``.

References
----------
Goodchild, M. F. & Lam, N. S.-N. (1980), Areal interpolation: a variant of the traditional
spatial problem, *Geo-Processing* 1, 297-312.
Openshaw, S. (1984), *The Modifiable Areal Unit Problem*, CATMOG 38, Geo Books, Norwich.
Eicher, C. L. & Brewer, C. A. (2001), Dasymetric mapping and areal interpolation,
*Cartography and Geographic Information Science* 28(2), 125-138.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from mixing.checks import quiet
from mixing.errors import InputError
from mixing.io.aggregate import INTENSIVE_WEIGHTS, finalise
from mixing.schema import (
    CANONICAL_COLUMNS,
    COUNT_COLUMNS,
    CRS,
    INTENSIVE_COLUMNS,
    uninhabited,
)

__all__ = [
    "FLAG_COLUMN",
    "OUTPUT_COLUMNS",
    "UNCHANGED_FLAGS",
    "HarmonisationReport",
    "UnallocatedWarning",
    "area_table",
    "allocation",
    "interpolate",
    "harmonise",
]

#: Optional column with the CBS "Indelingswijziging" code of each unit.
FLAG_COLUMN = "boundary_change"
#: Flag values that allow a match by code: 1 unchanged, 2 recoded with the same boundary.
UNCHANGED_FLAGS = (1, 2)


class UnallocatedWarning(UserWarning):
    """Source units that needed interpolation overlap no target unit; their counts are lost."""


# ----------------------------------------------------------------------------- geometry
def _geometries(frame: object, name: str) -> tuple[np.ndarray, object]:
    if isinstance(frame, gpd.GeoDataFrame):
        series = frame.geometry
    elif isinstance(frame, gpd.GeoSeries):
        series = frame
    else:
        raise InputError(f"argument `{name}` must be a GeoDataFrame or GeoSeries",
                         value=type(frame).__name__, fix="pass the units table itself")
    return np.asarray(series.array, dtype=object), series.crs


def area_table(source, target) -> sparse.csr_array:
    r"""Intersection areas of every source unit with every target unit (m²), sparse.

    Parameters
    ----------
    source, target : GeoDataFrame or GeoSeries
        Polygons in the same projected CRS (EPSG:28992). Missing or empty geometries get
        an empty row / column.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(len(source), len(target))``, entry :math:`A_{st} =
        \lvert s \cap t \rvert` in m²; rows follow ``source``'s order, columns ``target``'s.

    Notes
    -----
    One :class:`shapely.STRtree` query on the target envelopes and one vectorised
    :func:`shapely.intersection` over the candidate pairs; only pairs with positive area
    are stored. Build it once per (source, target) geometry and pass it to
    :func:`harmonise` or :func:`mixing.tables.scales.crosswalk`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> a = gpd.GeoSeries([shapely.box(0, 0, 2, 1)], crs=28992)
    >>> b = gpd.GeoSeries([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 3, 1)], crs=28992)
    >>> area_table(a, b).toarray()
    array([[1., 1.]])
    """
    src, src_crs = _geometries(source, "source")
    tgt, tgt_crs = _geometries(target, "target")
    for crs, name in ((src_crs, "source"), (tgt_crs, "target")):
        if crs is None or not gpd.GeoSeries([], crs=crs).crs.equals(CRS):
            raise InputError(f"argument `{name}` must be in {CRS} (areas in m²)",
                             value=None if crs is None else str(crs),
                             fix="reproject with .to_crs('EPSG:28992')")
    usable_t = ~(shapely.is_missing(tgt) | shapely.is_empty(tgt))
    usable_s = ~(shapely.is_missing(src) | shapely.is_empty(src))
    t_pos = np.flatnonzero(usable_t)
    s_pos = np.flatnonzero(usable_s)
    shape = (src.shape[0], tgt.shape[0])
    if t_pos.size == 0 or s_pos.size == 0:
        return sparse.csr_array(shape, dtype=np.float64)
    tree = shapely.STRtree(tgt[t_pos])
    pairs = tree.query(src[s_pos], predicate="intersects")
    s_idx, t_idx = s_pos[pairs[0]], t_pos[pairs[1]]
    areas = shapely.area(shapely.intersection(src[s_idx], tgt[t_idx]))
    keep = areas > 0
    return sparse.csr_array((areas[keep], (s_idx[keep], t_idx[keep])), shape=shape)


def allocation(table, *, source_area=None) -> sparse.csr_array:
    r"""Row-normalise an area table into allocation weights :math:`A_{st} / a_s`.

    Parameters
    ----------
    table : sparse matrix or array
        ``(n_source, n_target)`` intersection areas (:func:`area_table`).
    source_area : array_like, optional
        Area of each source unit. Default: the row sums of ``table``, so every source that
        touches a target is allocated in full (``tobler``'s ``allocate_total=True``) and
        totals are preserved even where generalised boundaries leave slivers.

    Returns
    -------
    scipy.sparse.csr_array
        Rows sum to 1 (or to the covered fraction of ``source_area``), 0 for a source that
        overlaps no target.
    """
    table = sparse.csr_array(table, dtype=np.float64)
    denominator = table.sum(axis=1) if source_area is None else np.asarray(
        source_area, dtype=np.float64)
    with quiet():
        scale = np.where(denominator > 0, 1.0 / denominator, 0.0)
    return sparse.csr_array(sparse.diags_array(scale) @ table)


def interpolate(values, weights, *, intensive=False, by=None):
    r"""Move values from source to target units with an allocation matrix.

    Parameters
    ----------
    values : array_like
        ``(n_source,)`` or ``(n_source, c)``; NaN = unknown.
    weights : sparse matrix
        ``(n_source, n_target)`` allocation (:func:`allocation`, or any crosswalk whose
        rows sum to 1).
    intensive : bool, default False
        False: extensive counts, :math:`\hat x_t = \sum_s x_s W_{st}`. True: means,
        :math:`\hat v_t = \sum_s v_s b_s W_{st} / \sum_s b_s W_{st}`.
    by : array_like, optional
        The count :math:`b` each mean refers to (same shape as ``values``), only with
        ``intensive=True``; rows where it is unknown or 0 fall back to area weights.

    Returns
    -------
    numpy.ndarray
        ``(n_target,)`` or ``(n_target, c)``. NaN where no known part reaches the target.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]])
    >>> interpolate([100.0, 40.0], W)
    array([50., 60., 30.])
    >>> interpolate([10.0, 20.0], W, intensive=True, by=[100.0, 40.0])
    array([10.        , 11.66666667, 20.        ])
    """
    W = sparse.csr_array(weights, dtype=np.float64)
    x = np.asarray(values, dtype=np.float64)
    flat = x.ndim == 1
    x = x.reshape(x.shape[0], -1)
    if x.shape[0] != W.shape[0]:
        raise InputError(f"values have {x.shape[0]} rows but the weights {W.shape[0]} "
                         "source units", fix="align values with the rows of the area table")
    known = np.isfinite(x)
    WT = W.T.tocsr()
    if not intensive:
        total = WT @ np.where(known, x, 0.0)
        reached = WT @ known.astype(np.float64)
        out = np.where(reached > 0, total, np.nan)
    else:
        b = np.ones_like(x) if by is None else np.asarray(by, dtype=np.float64).reshape(x.shape)
        usable_b = known & np.isfinite(b) & (b > 0)
        b = np.where(usable_b, b, 0.0)
        num = WT @ np.where(usable_b, x * b, 0.0)
        den = WT @ b
        # where no weight count is known, fall back to plain area weights
        num_a = WT @ np.where(known, x, 0.0)
        den_a = WT @ known.astype(np.float64)
        with quiet():
            out = np.where(den > 0, num / den, np.where(den_a > 0, num_a / den_a, np.nan))
    return out[:, 0] if flat else out


# ----------------------------------------------------------------------------- harmonise
@dataclass(frozen=True, eq=False)
class HarmonisationReport:
    """What :func:`harmonise` did per year.

    Attributes
    ----------
    summary : DataFrame
        One row per year: ``year, n_source_units, n_by_code, n_interpolated,
        n_unallocated, n_target_units, n_targets_by_code, n_targets_interpolated,
        n_targets_absent``. ``n_interpolated`` counts *source* units that went through
        areal interpolation; ``n_targets_interpolated`` target units that received any
        interpolated count.
    totals : DataFrame
        One row per (year, count column): ``year, column, source_total,
        harmonised_total, difference, relative_difference``. ``difference`` is 0 up to
        floating-point rounding unless source units were unallocated.
    """

    summary: pd.DataFrame
    totals: pd.DataFrame

    @property
    def preserved(self) -> bool:
        """True when every harmonised total equals its source total (rtol 1e-9)."""
        t = self.totals.dropna(subset=["source_total"])
        return bool(np.allclose(t["harmonised_total"], t["source_total"], rtol=1e-9, atol=1e-6))


def _target_frame(units_by_year, target, target_year) -> gpd.GeoDataFrame:
    if target is None:
        if target_year not in units_by_year:
            raise InputError(f"target_year {target_year} is not among the years "
                             f"{sorted(units_by_year)}", value=target_year,
                             fix="pass one of the years, or a target geometry with target=")
        target = units_by_year[target_year]
    if not isinstance(target, gpd.GeoDataFrame) or "unit_code" not in target:
        raise InputError("the target must be a GeoDataFrame with a unit_code column",
                         fix="pass a canonical units table (or codes + geometry) as target=")
    if target["unit_code"].duplicated().any():
        raise InputError("target unit codes must be unique", column="unit_code",
                         value=target.loc[target["unit_code"].duplicated(), "unit_code"].iloc[0],
                         fix="pass the geometry of one level and one year")
    missing = target.geometry.isna() | target.geometry.is_empty
    if missing.any():
        raise InputError(f"{int(missing.sum())} target units have no geometry", column="geometry",
                         value=target.loc[missing, "unit_code"].iloc[0],
                         fix="read the target year with a boundary file (read_units(geometry=...))")
    return target.reset_index(drop=True)


def _changed_mask(frame: pd.DataFrame, year: int, changed, unchanged_flags) -> np.ndarray:
    mask = np.zeros(len(frame), dtype=bool)
    if FLAG_COLUMN in frame:
        flag = pd.to_numeric(frame[FLAG_COLUMN], errors="coerce")
        mask |= (flag.notna() & ~flag.isin(list(unchanged_flags))).to_numpy()
    if changed and year in changed:
        mask |= frame["unit_code"].isin(list(changed[year])).to_numpy()
    return mask


def _identity(target: gpd.GeoDataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"unit_code": target["unit_code"].astype(object).to_numpy()})
    codes = out["unit_code"].astype(str)
    derived = {
        "unit_name": out["unit_code"],
        "level": np.where(codes.str.startswith("BU"), "buurt",
                          np.where(codes.str.startswith("WK"), "wijk", "gemeente")),
        "municipality_code": ("GM" + codes.str[2:6]).where(~codes.str.startswith("GM"), codes),
        "municipality_name": None,
        "wijk_code": ("WK" + codes.str[2:8]).where(codes.str.startswith("BU"), None),
    }
    for column, fallback in derived.items():
        out[column] = target[column].to_numpy() if column in target else fallback
    out["is_water"] = target["is_water"].to_numpy(dtype=bool) if "is_water" in target else False
    return out


def harmonise(
    units_by_year: Mapping[int, gpd.GeoDataFrame],
    *,
    target_year: int,
    target: gpd.GeoDataFrame | None = None,
    tables: Mapping[int, object] | None = None,
    changed: Mapping[int, Collection[str]] | None = None,
    unchanged_flags: Collection[int] = UNCHANGED_FLAGS,
) -> tuple[gpd.GeoDataFrame, HarmonisationReport]:
    r"""Stack several years of units on one target geometry.

    Parameters
    ----------
    units_by_year : mapping of int to GeoDataFrame
        Canonical units tables (one level), keyed by year. Units that need interpolation
        must have a geometry; units matched by code need none.
    target_year : int
        Year whose geometry is the target (``units_by_year[target_year]``), or the label
        of ``target``.
    target : GeoDataFrame, optional
        Target geometry with ``unit_code`` (canonical identity columns are used when
        present), e.g. the 2019 buurt boundaries. Default: ``units_by_year[target_year]``.
    tables : mapping of int to sparse matrix, optional
        Per year, :func:`area_table` of that year's units onto the target, built once
        and passed in. Built here, only for years that need interpolation, when absent.
    changed : mapping of int to collection of str, optional
        Per year, unit codes whose boundary is known to differ from the target even
        though the code exists there; they are interpolated.
    unchanged_flags : collection of int, default (1, 2)
        Values of the optional ``boundary_change`` column (CBS *Indelingswijziging*) that
        permit a match by code.

    Returns
    -------
    units : GeoDataFrame
        One row per (year, target unit): canonical columns on the target geometry, plus
        ``geometry_year`` (= ``target_year``) and ``harmonised_by`` (``"code"``,
        ``"interpolated"``, ``"code+interpolated"`` or ``"absent"`` when nothing of that
        year reaches the target unit; its counts are then NaN).
    report : HarmonisationReport
        Units matched / interpolated / unallocated per year and the totals check.

    Notes
    -----
    Per year the source -> target operator is one sparse matrix :math:`M = D + W`: ``D``
    has a 1 at (source, target) for every match by code, ``W`` the areal weights
    (module Notes) of the other sources onto the targets *not* matched by code -- so a
    target never gets a count twice. A source whose area overlaps only matched targets
    (a sliver of generalised boundaries) is allocated over all targets it overlaps. Every
    allocated source row of :math:`M` sums to 1, hence extensive totals are preserved:
    :math:`\sum_t \hat x_t = \sum_s x_s`.

    References: Goodchild & Lam (1980); Openshaw (1984).

    Examples
    --------
    >>> stacked, report = harmonise({2015: r2015, 2018: r2018},
    ...                             target_year=2018)  # doctest: +SKIP
    >>> report.summary[["year", "n_by_code", "n_interpolated"]]  # doctest: +SKIP
    """
    if not units_by_year:
        raise InputError("units_by_year is empty", fix="pass {year: units, ...}")
    target = _target_frame(units_by_year, target, target_year)
    target_index = pd.Index(target["unit_code"].astype(str))
    n_t = len(target)
    identity = _identity(target)
    count_columns = [c for c in COUNT_COLUMNS if any(c in f for f in units_by_year.values())]
    frames, summary, totals = [], [], []
    for year in sorted(units_by_year):
        frame = units_by_year[year].reset_index(drop=True)
        if "unit_code" not in frame:
            raise InputError(f"the units of {year} lack a unit_code column",
                             fix="pass canonical units tables (mixing.io.cbs.read_units)")
        n_s = len(frame)
        position = target_index.get_indexer(frame["unit_code"].astype(str))
        by_code = (position >= 0) & ~_changed_mask(frame, year, changed, unchanged_flags)
        taken = np.zeros(n_t, dtype=bool)
        taken[position[by_code]] = True
        rows = np.flatnonzero(by_code)
        D = sparse.csr_array((np.ones(rows.size), (rows, position[by_code])), shape=(n_s, n_t))
        need = ~by_code
        W = sparse.csr_array((n_s, n_t), dtype=np.float64)
        unallocated = np.zeros(n_s, dtype=bool)
        if need.any():
            A = tables.get(year) if tables is not None else None
            if A is None:
                A = area_table(frame.geometry, target.geometry)
            A = sparse.csr_array(A, dtype=np.float64)
            if A.shape != (n_s, n_t):
                raise InputError(f"the area table of {year} has shape {A.shape}, expected "
                                 f"{(n_s, n_t)} (units x target units)", value=year,
                                 fix="build it with area_table(units_by_year[year], target)")
            keep_rows = sparse.diags_array(need.astype(np.float64))
            A = sparse.csr_array(keep_rows @ A)
            free = A @ sparse.diags_array((~taken).astype(np.float64))
            free_sum, full_sum = free.sum(axis=1), A.sum(axis=1)
            # sources overlapping only matched targets keep their full overlap
            fallback = sparse.diags_array(((free_sum == 0) & (full_sum > 0)).astype(np.float64))
            W = allocation(sparse.csr_array(free + fallback @ A))
            unallocated = need & (full_sum == 0)
        M = sparse.csr_array(D + W)
        counts = _interpolate_counts(frame, M, count_columns)
        means = _interpolate_means(frame, M, counts)
        from_code = (D.T @ np.ones(n_s)) > 0
        from_interp = (W.T @ np.ones(n_s)) > 0
        how = np.select([from_code & from_interp, from_code, from_interp],
                        ["code+interpolated", "code", "interpolated"], "absent")
        out = identity.copy()
        out["year"] = int(year)
        for column in COUNT_COLUMNS:
            out[column] = counts.get(column, np.full(n_t, np.nan))
        for column in INTENSIVE_COLUMNS:
            out[column] = means.get(column, np.full(n_t, np.nan))
        out["is_uninhabited"] = uninhabited(out)
        out["geometry"] = target.geometry.to_numpy()
        result = finalise(gpd.GeoDataFrame(out, geometry="geometry", crs=CRS))
        result["geometry_year"] = int(target_year)
        result["harmonised_by"] = how
        frames.append(result)
        if unallocated.any():
            lost = frame.loc[unallocated, "population"].sum() if "population" in frame else np.nan
            warnings.warn(f"{year}: {int(unallocated.sum())} units need interpolation but "
                          f"overlap no target unit (or have no geometry), e.g. "
                          f"{frame.loc[unallocated, 'unit_code'].head(3).tolist()}; their counts "
                          f"(population {lost:,.0f}) are not allocated", UnallocatedWarning,
                          stacklevel=2)
        summary.append({
            "year": int(year), "n_source_units": n_s, "n_by_code": int(by_code.sum()),
            "n_interpolated": int((need & ~unallocated).sum()),
            "n_unallocated": int(unallocated.sum()), "n_target_units": n_t,
            "n_targets_by_code": int((how == "code").sum()),
            "n_targets_interpolated": int(from_interp.sum()),
            "n_targets_absent": int((how == "absent").sum()),
        })
        for column in count_columns:
            source = frame[column].to_numpy(dtype=np.float64) if column in frame else None
            src_total = np.nansum(source) if source is not None and np.isfinite(source).any() \
                else np.nan
            moved = counts.get(column)
            harm_total = np.nansum(moved) if moved is not None and np.isfinite(moved).any() \
                else np.nan
            totals.append({"year": int(year), "column": column, "source_total": src_total,
                           "harmonised_total": harm_total})
    stacked = pd.concat(frames, ignore_index=True)
    stacked = gpd.GeoDataFrame(stacked, geometry="geometry", crs=CRS)
    totals = pd.DataFrame(totals)
    totals["difference"] = totals["harmonised_total"] - totals["source_total"]
    with quiet():
        totals["relative_difference"] = totals["difference"] / totals["source_total"]
    return stacked, HarmonisationReport(pd.DataFrame(summary), totals)


def _interpolate_counts(frame, M, columns) -> dict[str, np.ndarray]:
    present = [c for c in columns if c in frame]
    if not present:
        return {}
    values = interpolate(frame[present].to_numpy(dtype=np.float64), M)
    return {c: values[:, i] for i, c in enumerate(present)}


def _interpolate_means(frame, M, counts) -> dict[str, np.ndarray]:
    out = {}
    for column in INTENSIVE_COLUMNS:
        if column not in frame:
            continue
        weight = INTENSIVE_WEIGHTS.get(column)
        by = frame[weight].to_numpy(dtype=np.float64) if weight in frame else None
        out[column] = interpolate(frame[column].to_numpy(dtype=np.float64), M, intensive=True,
                                  by=by)
    return out


# Canonical columns the output always carries, in order (for readers of this module).
OUTPUT_COLUMNS = list(CANONICAL_COLUMNS) + ["geometry_year", "harmonised_by"]
