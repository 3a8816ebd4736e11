r"""The same indices at several spatial scales, a 500 m grid, and area-weighted crosswalks.

Segregation indices depend on the units they are computed on: smaller units show more
unevenness, and different zonings of the same city give different answers -- the
modifiable areal unit problem (MAUP, Openshaw 1984). :func:`scale_table` puts the same
indices at buurt, wijk, gemeente, PC4 and a regular grid side by side, with the ratios
buurt/wijk and buurt/grid, so a reader sees how much the answer depends on the unit.

:func:`grid_units` builds a regular grid aligned like CBS's *vierkantstatistieken*
(EPSG:28992, cell corners at multiples of the cell size, codes ``E####N####`` in
hectometres of the lower-left corner) and fills it by areal weighting of buurt counts
(Goodchild & Lam 1980). CBS's own grid counts come from addresses; areal weighting spreads
each buurt evenly over its area, so the grid here is *smoother* than CBS's and its
indices are lower bounds of what the real 500 m grid would give. It shows the scale
effect, not the address-level truth.

:func:`crosswalk` is the area-weighted crosswalk between two zonings (PC4 <-> buurt),
built once as a sparse matrix and applied to any number of columns.

References
----------
Openshaw, S. (1984), *The Modifiable Areal Unit Problem*, CATMOG 38, Geo Books, Norwich.
Goodchild, M. F. & Lam, N. S.-N. (1980), Areal interpolation: a variant of the traditional
spatial problem, *Geo-Processing* 1, 297-312.
Wong, D. W. S. (1997), Spatial dependency of segregation indices, *The Canadian
Geographer* 41(2), 128-136.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from mixing.catalogue import HEADLINE_INDICES
from mixing.checks import quiet
from mixing.dimensions import DIMENSIONS, MULTI_DIMENSIONS, present
from mixing.errors import InputError
from mixing.geometry.harmonise import allocation, area_table, interpolate
from mixing.io.aggregate import INTENSIVE_WEIGHTS, aggregate_units, finalise
from mixing.schema import COUNT_COLUMNS, CRS, INTENSIVE_COLUMNS, analysis_level, uninhabited
from mixing.tables.frames import index_table

__all__ = ["Crosswalk", "crosswalk", "grid_units", "grid_code", "scale_levels", "scale_table",
           "scale_tables"]


# ----------------------------------------------------------------------------- crosswalk
@dataclass(frozen=True, eq=False)
class Crosswalk:
    r"""Area-weighted crosswalk from one zoning to another (built by :func:`crosswalk`).

    Attributes
    ----------
    source_codes, target_codes : numpy.ndarray
        Codes of the rows / columns.
    area : scipy.sparse.csr_array
        Intersection areas (m²), ``(n_source, n_target)``.
    weights : scipy.sparse.csr_array
        Allocation weights :math:`|s \cap t| / a_s` (see :func:`crosswalk`).
    source_area, target_area : numpy.ndarray
        Own area of every source / target unit (m²), used by :meth:`reverse`.
    allocate_total : bool
        How ``weights`` were normalised (see :func:`crosswalk`).
    """

    source_codes: np.ndarray
    target_codes: np.ndarray
    area: sparse.csr_array
    weights: sparse.csr_array
    source_area: np.ndarray
    target_area: np.ndarray
    allocate_total: bool = False

    @property
    def coverage(self) -> np.ndarray:
        """Share of each source unit's area that lies inside the target zoning."""
        with quiet():
            return np.asarray(self.area.sum(axis=1)) / self.source_area

    @property
    def unallocated(self) -> np.ndarray:
        """Source codes that overlap no target unit (their counts are not carried over)."""
        return self.source_codes[np.asarray(self.area.sum(axis=1)) == 0]

    def apply(self, units: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Carry ``columns`` of the source units over to the target units.

        Counts (:data:`mixing.schema.COUNT_COLUMNS`) are summed by areal weights; means
        (:data:`mixing.schema.INTENSIVE_COLUMNS`) are weighted by the count they refer
        to. Rows of ``units`` must be in :attr:`source_codes` order.

        Returns
        -------
        DataFrame
            ``unit_code`` (target) plus one column per requested column.
        """
        if len(units) != len(self.source_codes) or (
                "unit_code" in units and not np.array_equal(
                    units["unit_code"].astype(str).to_numpy(), self.source_codes)):
            raise InputError("units are not the crosswalk's source units (in order)",
                             fix="apply the crosswalk to the table it was built from")
        if columns is None:
            columns = [c for c in COUNT_COLUMNS + INTENSIVE_COLUMNS if c in units]
        out = pd.DataFrame({"unit_code": self.target_codes})
        extensive = [c for c in columns if c not in INTENSIVE_COLUMNS]
        if extensive:
            moved = interpolate(units[extensive].to_numpy(dtype=np.float64), self.weights)
            for i, column in enumerate(extensive):
                out[column] = moved[:, i]
        for column in (c for c in columns if c in INTENSIVE_COLUMNS):
            weight = INTENSIVE_WEIGHTS.get(column)
            by = units[weight].to_numpy(dtype=np.float64) if weight in units else None
            out[column] = interpolate(units[column].to_numpy(dtype=np.float64), self.weights,
                                      intensive=True, by=by)
        return out

    def reverse(self) -> Crosswalk:
        """The crosswalk the other way round (same areas, transposed)."""
        area = sparse.csr_array(self.area.T)
        weights = allocation(area, source_area=None if self.allocate_total else self.target_area)
        return Crosswalk(self.target_codes, self.source_codes, area, weights, self.target_area,
                         self.source_area, self.allocate_total)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table ``source_code, target_code, area_m2, weight`` (non-zero pairs)."""
        coo = self.area.tocoo()
        w = self.weights.tocsr()[coo.row, coo.col]
        return pd.DataFrame({"source_code": self.source_codes[coo.row],
                             "target_code": self.target_codes[coo.col],
                             "area_m2": coo.data, "weight": np.asarray(w).ravel()})


def crosswalk(source_units: gpd.GeoDataFrame, target_units: gpd.GeoDataFrame, *,
              table=None, allocate_total: bool = False) -> Crosswalk:
    r"""Area-weighted crosswalk between two zonings (e.g. PC4 -> buurt), built once.

    Parameters
    ----------
    source_units, target_units : GeoDataFrame
        Units with ``unit_code`` and polygons in EPSG:28992.
    table : sparse matrix, optional
        A ready :func:`mixing.geometry.harmonise.area_table` of the two (skips the geometry).
    allocate_total : bool, default False
        False: :math:`a_s = |s|`, a source half outside the target zoning sends half its
        count (right when the zonings cover different territory, e.g. a municipality's
        buurten and the postcodes around it). True: :math:`a_s = |s \cap \bigcup_t t|`,
        every touching source is allocated in full (right when both zonings cover the
        same territory and only generalisation slivers differ; totals then preserved).

    Returns
    -------
    Crosswalk
        ``weights[s, t] = |s ∩ t| / a_s``; apply it with :meth:`Crosswalk.apply`, turn it
        round with :meth:`Crosswalk.reverse`.

    Notes
    -----
    Areal weighting (Goodchild & Lam 1980): :math:`\hat x_t = \sum_s x_s |s \cap t| / a_s`,
    so :math:`\sum_t \hat x_t = \sum_s x_s c_s` with :math:`c_s` the covered share
    (:attr:`Crosswalk.coverage`) of each source. Sources wholly outside are listed in
    :attr:`Crosswalk.unallocated`.

    Examples
    --------
    >>> xw = crosswalk(pc4, buurten)  # doctest: +SKIP
    >>> on_buurten = xw.apply(pc4, ["population"])  # doctest: +SKIP
    """
    area = area_table(source_units, target_units) if table is None else sparse.csr_array(
        table, dtype=np.float64)
    if area.shape != (len(source_units), len(target_units)):
        raise InputError(f"table has shape {area.shape}, expected "
                         f"{(len(source_units), len(target_units))}",
                         fix="build it with area_table(source_units, target_units)")
    source_area = source_units.geometry.area.to_numpy(dtype=np.float64)
    target_area = target_units.geometry.area.to_numpy(dtype=np.float64)
    weights = allocation(area, source_area=None if allocate_total else source_area)
    return Crosswalk(source_units["unit_code"].astype(str).to_numpy(),
                     target_units["unit_code"].astype(str).to_numpy(), area, weights,
                     source_area, target_area, bool(allocate_total))


# ----------------------------------------------------------------------------- grid
def grid_code(x, y, cell: int = 500) -> np.ndarray:
    """CBS-style cell code ``E####N####`` of the lower-left corner, in hectometres.

    Examples
    --------
    >>> grid_code([81000.0], [455500.0])
    array(['E0810N4555'], dtype=object)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    east = (np.floor(x / cell) * cell / 100).astype(np.int64)
    north = (np.floor(y / cell) * cell / 100).astype(np.int64)
    return np.char.add(np.char.add("E", np.char.zfill(east.astype(str), 4)),
                       np.char.add("N", np.char.zfill(north.astype(str), 4))).astype(object)


def grid_units(units: gpd.GeoDataFrame, cell: int = 500) -> gpd.GeoDataFrame:
    r"""Buurt counts on a regular, CBS-aligned grid by areal weighting.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units (buurten) of one or more municipalities and years, EPSG:28992.
    cell : int, default 500
        Cell size in metres; cells have corners at multiples of ``cell`` (as CBS's
        vierkantstatistieken 100 m / 500 m).

    Returns
    -------
    GeoDataFrame
        Canonical columns, one row per (municipality, year, cell) with residents
        (``population > 0``); ``level`` is ``f"grid{cell}m"``, ``unit_code`` the cell
        code (:func:`grid_code`), geometry the whole cell. A cell on a municipal border
        appears once per municipality, with that municipality's share of the counts.

    Notes
    -----
    Candidate cells come straight from each unit's bounding box (no spatial index
    needed); a cell wholly inside a unit (:func:`shapely.contains_properly` on the
    prepared unit) overlaps it by the whole cell, a cell outside by nothing, and one
    vectorised :func:`shapely.intersection` of the cells on a boundary gives the other
    areas :math:`A_{sc}`. Counts move as in :func:`mixing.geometry.harmonise.interpolate`:
    :math:`\hat x_c = \sum_s x_s A_{sc} / \sum_{c'} A_{sc'}`. Totals per municipality are
    preserved (before dropping cells without residents, which hold no residents).
    Areal weighting spreads residents evenly over each buurt (see module docstring).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> u = gpd.GeoDataFrame({"unit_code": ["BU00010001"], "municipality_code": ["GM0001"],
    ...                       "year": [2019], "population": [100.0]},
    ...                      geometry=[shapely.box(0, 0, 1000, 500)], crs=28992)
    >>> grid_units(u)[["unit_code", "population"]].to_numpy().tolist()
    [['E0000N0000', 50.0], ['E0005N0000', 50.0]]
    """
    if not isinstance(cell, int | np.integer) or cell <= 0 or cell % 100:
        raise InputError("cell must be a positive multiple of 100 m", value=cell,
                         fix="pass cell=500 (or 100)")
    if units.crs is None or not units.crs.equals(CRS):
        raise InputError(f"units must be in {CRS}", fix="reproject with .to_crs('EPSG:28992')")
    geom = np.asarray(units.geometry.array, dtype=object)
    ok = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    idx = np.flatnonzero(ok)
    b = shapely.bounds(geom[idx])
    ix0, iy0 = np.floor(b[:, 0] / cell).astype(np.int64), np.floor(b[:, 1] / cell).astype(np.int64)
    nx = np.ceil(b[:, 2] / cell).astype(np.int64) - ix0
    ny = np.ceil(b[:, 3] / cell).astype(np.int64) - iy0
    per = nx * ny
    src = np.repeat(idx, per)
    k = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
    gx = np.repeat(ix0, per) + k % np.repeat(nx, per)
    gy = np.repeat(iy0, per) + k // np.repeat(nx, per)
    boxes = shapely.box(gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell)
    # only cells on a unit's boundary need an overlay: a cell inside the unit is all of
    # it (a box with coordinates in whole metres: its area is exact), one outside none
    shapely.prepare(geom[idx])
    parts = geom[src]
    inside = shapely.contains_properly(parts, boxes)
    edge = np.flatnonzero(~inside & shapely.intersects(parts, boxes))
    areas = np.where(inside, float(cell) * cell, 0.0)
    areas[edge] = shapely.area(shapely.intersection(parts[edge], boxes[edge]))
    keep = areas > 0
    src, gx, gy, areas = src[keep], gx[keep], gy[keep], areas[keep]
    # one target per (municipality, year, cell)
    mun = units["municipality_code"].astype(str).to_numpy()[src]
    year = units["year"].to_numpy()[src] if "year" in units else np.zeros(src.size, np.int64)
    keys = pd.MultiIndex.from_arrays([mun, year, gx, gy])
    target, labels = pd.factorize(keys, sort=True)
    A = sparse.csr_array((areas, (src, target)), shape=(len(units), len(labels)))
    W = allocation(A)
    data: dict[str, object] = {}
    for column in COUNT_COLUMNS:
        data[column] = (interpolate(units[column].to_numpy(dtype=np.float64), W)
                        if column in units else np.full(len(labels), np.nan))
    for column in INTENSIVE_COLUMNS:
        weight = INTENSIVE_WEIGHTS.get(column)
        by = units[weight].to_numpy(dtype=np.float64) if weight in units else None
        data[column] = (interpolate(units[column].to_numpy(dtype=np.float64), W,
                                    intensive=True, by=by)
                        if column in units else np.full(len(labels), np.nan))
    cx = labels.get_level_values(2).to_numpy()
    cy = labels.get_level_values(3).to_numpy()
    codes = grid_code(cx * cell, cy * cell, cell)
    names = (units.drop_duplicates("municipality_code").set_index("municipality_code")
             ["municipality_name"] if "municipality_name" in units else pd.Series(dtype=object))
    municipality = labels.get_level_values(0).to_numpy()
    out = pd.DataFrame({
        "unit_code": codes, "unit_name": codes, "level": f"grid{cell}m",
        "municipality_code": municipality,
        "municipality_name": names.reindex(municipality).to_numpy(),
        "wijk_code": None, "year": labels.get_level_values(1).to_numpy(), **data,
        "is_water": False,
    })
    out["is_uninhabited"] = uninhabited(out)
    grid = gpd.GeoDataFrame(out, geometry=shapely.box(cx * cell, cy * cell, (cx + 1) * cell,
                                                      (cy + 1) * cell), crs=CRS)
    grid = finalise(grid)
    return grid[grid["population"].fillna(0) > 0].reset_index(drop=True)


# ----------------------------------------------------------------------------- scale table
def scale_table(
    units_by_level: Mapping[str, pd.DataFrame],
    *,
    dimensions: tuple[str, ...] | None = None,
    indices: tuple[str, ...] = HEADLINE_INDICES,
) -> pd.DataFrame:
    """The same indices at several scales side by side, with buurt/wijk and buurt/grid ratios.

    Parameters
    ----------
    units_by_level : mapping of str to DataFrame
        Scale label -> canonical units, e.g. ``{"buurt": b, "wijk": aggregate_units(b,
        "wijk"), "gemeente": ..., "pc4": ..., "grid500m": grid_units(b)}``. The label
        names the columns; the units' own ``level`` is overridden by it.
    dimensions, indices : tuple of str
        As in :func:`mixing.tables.frames.index_table`.

    Returns
    -------
    DataFrame
        One row per (municipality_code, dimension, index); per scale ``value_<scale>``,
        ``n_units_<scale>`` and ``year_<scale>``; then ``ratio_buurt_wijk`` (and
        ``ratio_buurt_<grid>`` for every scale whose label starts with ``grid``) when
        both scales are present. A ratio above 1 means the finer zoning shows more
        segregation.

    Notes
    -----
    At the gemeente scale a municipality is one unit, so evenness indices are 0 and
    isolation equals the group share: the baseline of "no segregation visible". Ratios
    are a descriptive MAUP diagnostic (Openshaw 1984; Wong 1997), not a correction.
    For many municipalities with one table each, use :func:`scale_tables`.
    """
    if not units_by_level:
        raise InputError("units_by_level is empty", fix="pass {'buurt': units, ...}")
    frames = []
    for label, units in units_by_level.items():
        table = index_table(units.assign(level=label), dimensions=dimensions, indices=indices,
                            inference_indices=())
        frames.append(table)
    return _wide(pd.concat(frames, ignore_index=True), list(units_by_level))


def _wide(long: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Long index rows of several scales -> one row per (municipality, dimension, index)."""
    key = ["municipality_code", "dimension", "index"]
    wide = long.pivot_table(index=key, columns="level", values=["value", "n_units", "year"],
                            aggfunc="first", dropna=False)
    wide.columns = [f"{stat}_{level}" for stat, level in wide.columns]
    order = [f"{stat}_{label}" for label in labels for stat in ("value", "n_units", "year")
             if f"{stat}_{label}" in wide]
    wide = wide[order].reset_index()
    with quiet():
        if {"value_buurt", "value_wijk"} <= set(wide):
            wide["ratio_buurt_wijk"] = wide["value_buurt"] / wide["value_wijk"]
        for label in labels:
            if str(label).startswith("grid") and "value_buurt" in wide:
                wide[f"ratio_buurt_{label}"] = wide["value_buurt"] / wide[f"value_{label}"]
    return wide.sort_values(key, ignore_index=True)


def scale_tables(
    units_by_level: Mapping[str, pd.DataFrame],
    *,
    dimensions: tuple[str, ...] | None = None,
    indices: tuple[str, ...] = HEADLINE_INDICES,
) -> dict[str, pd.DataFrame]:
    """:func:`scale_table` of every municipality, computed for all of them at once.

    Parameters
    ----------
    units_by_level : mapping of str to DataFrame
        Scale label -> canonical units of any number of municipalities (e.g. from
        :func:`scale_levels`). A municipality without units at a scale has no columns
        for it, as if that scale were left out of its own call.
    dimensions, indices : tuple of str
        As in :func:`scale_table`; without ``dimensions`` every municipality gets the
        dimensions known in its own units at each scale.

    Returns
    -------
    dict
        Municipality code -> the table ``scale_table`` gives for that municipality alone
        (same rows, columns, dtypes and numbers), in sorted code order.

    Notes
    -----
    One :func:`mixing.tables.frames.index_table` call per scale for all municipalities
    (its values are the same in a batch as alone); only the reshaping to one row per
    (dimension, index) is done per municipality.
    """
    if not units_by_level:
        raise InputError("units_by_level is empty", fix="pass {'buurt': units, ...}")
    frames = []
    for label, units in units_by_level.items():
        if len(units) == 0:
            continue
        table = index_table(units.assign(level=label), dimensions=dimensions, indices=indices,
                            inference_indices=())
        if dimensions is None:  # as alone: only the dimensions known in its own units
            table = table[_own_dimensions(units, table)]
        frames.append(table)
    if not frames:
        return {}
    long = pd.concat(frames, ignore_index=True)
    return {str(code): _wide(part.reset_index(drop=True),
                             [label for label in units_by_level if label in set(part["level"])])
            for code, part in long.groupby("municipality_code", sort=True)}


def _own_dimensions(units: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    """Rows of ``table`` whose dimension is :func:`mixing.dimensions.present` in the
    municipality's own units (``present`` is evaluated once per pattern of known columns)."""
    used = {c for d in DIMENSIONS.values() for c in (d.group, d.total)}
    used |= {c for d in MULTI_DIMENSIONS.values() for c in d.columns}
    columns = [c for c in units.columns if c in used]
    known = units[columns].notna().groupby(units["municipality_code"].astype(str)).any()
    pairs = set()
    for pattern, rows in known.groupby(columns, sort=False):
        flags = pd.DataFrame([np.where(pattern, 1.0, np.nan)], columns=columns)
        pairs.update((code, name) for code in rows.index for name in present(flags))
    keys = zip(table["municipality_code"].astype(str), table["dimension"], strict=True)
    return np.fromiter((key in pairs for key in keys), dtype=bool, count=len(table))


def scale_levels(units: gpd.GeoDataFrame, *, cell: int = 500) -> dict[str, pd.DataFrame]:
    """Every scale of a batch of municipalities' units, ready for :func:`scale_tables`.

    Parameters
    ----------
    units : GeoDataFrame
        Canonical units of any number of municipalities (the ingest output, levels stacked).
    cell : int, default 500
        Grid cell size (:func:`grid_units`).

    Returns
    -------
    dict
        ``buurt``, ``wijk``, ``gemeente`` and ``grid<cell>m`` units. Municipalities with
        buurten get buurt, wijk (the ingested wijken, else aggregated), gemeente and --
        when every buurt has a geometry -- the grid; a municipality without buurten (a
        postcode source) has its finest level only, under that level's name. Aggregated
        wijken and gemeenten carry no geometry (the scale table's indices are aspatial and
        a dissolve is the costly part of the aggregation).
    """
    is_buurt = (units["level"] == "buurt").to_numpy()
    municipality = units["municipality_code"].astype(str)
    with_buurten = set(municipality[is_buurt])
    buurten = units[is_buurt]
    out: dict[str, list[pd.DataFrame]] = {"buurt": [buurten], "wijk": [], "gemeente": []}
    counts_only = gpd.GeoDataFrame(buurten.drop(columns="geometry"),
                                   geometry=gpd.GeoSeries([None] * len(buurten),
                                                          index=buurten.index, crs=CRS))
    for level in ("wijk", "gemeente"):
        ingested = units[(units["level"] == level).to_numpy()
                         & municipality.isin(with_buurten).to_numpy()]
        out[level].append(ingested)
        missing = with_buurten - set(ingested["municipality_code"].astype(str))
        if missing:
            out[level].append(aggregate_units(
                counts_only[counts_only["municipality_code"].astype(str).isin(missing)], level))
    shaped = buurten.geometry.notna().groupby(municipality[is_buurt]).all()
    gridded = buurten[municipality[is_buurt].map(shaped).to_numpy(dtype=bool)]
    out[f"grid{cell}m"] = [grid_units(gridded, cell=cell)] if len(gridded) else []
    for code in sorted(set(municipality) - with_buurten):  # postcode sources
        own = units[(municipality == code).to_numpy()]
        finest = analysis_level(own)
        out.setdefault(finest, []).append(own[(own["level"] == finest).to_numpy()])
    return {label: pd.concat(parts, ignore_index=True) if parts else units.iloc[0:0]
            for label, parts in out.items()}
