"""The ``new_district`` scenario: a new unit with a fixed social share, placed on the map.

Dutch practice (new districts with a fixed social share): Utrecht Beurskwartier 2,500-3,000 homes of
which 35 % social; Almere Pampus 25,000-35,000 homes of which 30 % social rent; Utrecht Merwede
6,000 homes. The new unit is added as one more buurt. Its geometry touches the buurten named in
``near`` (or comes from a file), so contiguity-based statistics see it as their neighbour. Who moves
in comes from explicit assumptions (occupancy and low-income share of new occupants per tenure;
background mix: the municipality's unless given). Accounting model, not a forecast: where the new
residents come from is not modelled. """

from __future__ import annotations

import math
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.io.readers.geo import read_geometry
from mixing.scenarios.assumptions import TENURES, Assumptions
from mixing.scenarios.state import ACCOUNTING_COLUMNS, social_share, split_state, write_state
from mixing.scenarios.transforms import ScenarioCosts, ScenarioResult
from mixing.schema import CRS

__all__ = ["new_district", "default_near", "district_geometry"]


def default_near(units, min_dwellings: float = 50.0) -> list[str]:
    """The inhabited buurt with the lowest social share (at least ``min_dwellings``)."""
    share = social_share(units)
    ok = np.isfinite(share) & (units["dwellings"].to_numpy(dtype="float64") >= min_dwellings)
    if not ok.any():
        raise InputError(
            "new_district: no buurt with known social share to place it next to",
            fix="give near: [unit codes] or geometry_file",
        )
    return [str(units["unit_code"].to_numpy()[ok][np.argmin(share[ok])])]


def _hexagon(x: float, y: float, radius: float) -> shapely.Polygon:
    angles = np.arange(6) * np.pi / 3.0
    return shapely.Polygon(
        np.column_stack([x + radius * np.cos(angles), y + radius * np.sin(angles)])
    )


def district_geometry(units, near, area_m2: float):
    """A hexagon of ``area_m2`` next to (or inside) the ``near`` buurten.

    Returns ``(geometry, geometries)``: the district and the (possibly changed) geometry of
    every existing unit. If the near buurten lie on the municipal edge, the hexagon is
    centred just outside the edge point nearest to them and cut by the existing buurten:
    it shares their edges and vertices and overlaps nothing (a new district on open land,
    like Almere Pampus). If they are enclosed, the hexagon is centred on them and carved
    out of the buurten it covers (a new district on redeveloped land, like Utrecht
    Beurskwartier); those buurten lose that area but keep their counts.
    """
    codes = units["unit_code"].astype(str)
    missing = sorted(set(near) - set(codes))
    if missing:
        raise InputError(
            f"new_district: near names unknown unit codes {missing}",
            fix="use unit_code values of this municipality",
        )
    geoms = units.geometry.copy()
    target = shapely.union_all(geoms[codes.isin(near).to_numpy()].to_numpy())
    city = shapely.union_all(geoms[geoms.notna()].to_numpy())
    radius = math.sqrt(2.0 * area_m2 / (3.0 * math.sqrt(3.0)))
    edge = shapely.intersection(shapely.boundary(target), shapely.boundary(city))
    if not edge.is_empty:
        inside = shapely.centroid(target)
        point = shapely.line_interpolate_point(
            shapely.boundary(city),
            shapely.line_locate_point(shapely.boundary(city), shapely.centroid(edge)),
        )
        direction = np.array([point.x - inside.x, point.y - inside.y])
        direction = direction / max(np.hypot(*direction), 1e-9)
        hexagon = _hexagon(
            point.x + 0.9 * radius * direction[0], point.y + 0.9 * radius * direction[1], radius
        )
        cut = shapely.difference(hexagon, city)
        if cut.area >= 0.25 * hexagon.area and shapely.intersects(cut, target):
            return cut, geoms
    centre = shapely.point_on_surface(target)
    hexagon = _hexagon(centre.x, centre.y, radius)
    carved = shapely.intersection(hexagon, city)
    covered = shapely.intersects(geoms.to_numpy(), hexagon)
    geoms[covered] = shapely.difference(geoms[covered].to_numpy(), hexagon)
    return carved, geoms


@shared_parameters
def new_district(
    units,
    *,
    dwellings=2750,
    social_share=0.35,
    private_rent_share=0.3,
    near=None,
    geometry_file=None,
    density=100.0,
    unit_name="Nieuwe wijk (scenario)",
    migration_western_share=None,
    migration_nonwestern_share=None,
    assumptions=None,
) -> ScenarioResult:
    r"""Add a new district of ``dwellings`` homes with a fixed social share.

    The district becomes one more buurt of the table. Its geometry touches the ``near``
    buurten (:func:`district_geometry`) or comes from ``geometry_file``, so contiguity-based
    statistics count it as their neighbour. Who moves in follows the assumptions; where
    they come from is not modelled (an accounting model, not a forecast).

    Parameters
    ----------
    {SCENARIO_UNITS}
    dwellings : float
        Homes in the new district (Beurskwartier 2,500-3,000; Pampus 25,000-35,000).
    social_share, private_rent_share : float
        Tenure shares; the rest is owner-occupied (Beurskwartier 35 % social, Pampus 30 %).
    near : list of str, optional
        Unit codes the district is placed next to; default the inhabited buurt with the
        lowest social share (:func:`default_near`).
    geometry_file : path, optional
        A boundary file for the district instead (reprojected to EPSG:28992).
    density : float
        Dwellings per hectare, for the area of the generated hexagon (assumption; 100 is
        inner-city new build such as Beurskwartier, a suburb is nearer 30-40).
    unit_name : str
    migration_western_share, migration_nonwestern_share : float, optional
        Shares of the new residents; default the municipality's (assumption).
    assumptions : Assumptions, optional
        Occupancy and low-income share of new occupants per tenure.

    Returns
    -------
    ScenarioResult
        The table with one more row (``unit_code`` ``BU<gm>NW01``), ``dwellings_built``.

    Notes
    -----
    With :math:`N` = ``dwellings`` and tenure shares :math:`s_t` (social, private rent, and
    owner-occupied :math:`1 - s_{social} - s_{private}`), the district has
    :math:`D_t = N s_t` dwellings, :math:`H_t = o_t D_t` households (``occupancy_<t>``) and
    :math:`L_t = a_t H_t` low-income households (``low_income_new_<t>``). Its population is
    :math:`\sum_t H_t` times the municipal mean household size; each ``population_*`` group
    is that population times the given share or else the municipality's share.
    """
    a = assumptions or Assumptions()
    D = np.array(
        [
            dwellings * social_share,
            dwellings * private_rent_share,
            dwellings * (1.0 - social_share - private_rent_share),
            0.0,
        ]
    )
    occ = np.array([a.occupancy(t) for t in TENURES])
    low = np.array([a.low_income_new(t) for t in TENURES])
    H, L = D * occ, D * occ * low
    before = split_state(units, a)

    pop, hh = units["population"].sum(), units["households"].sum()
    size = pop / hh if hh > 0 else 2.0
    population = H.sum() * size
    shares = {}
    given_shares = {
        "population_migration_western": migration_western_share,
        "population_migration_nonwestern": migration_nonwestern_share,
    }
    for col in [c for c in units.columns if c.startswith("population_")]:
        given = given_shares.get(col)
        known = units[col].notna() & units["population"].notna()
        municipal = (
            units.loc[known, col].sum() / max(units.loc[known, "population"].sum(), 1)
            if known.any()
            else np.nan
        )
        shares[col] = municipal if given is None else given

    geoms = None
    if geometry_file is not None:
        if not os.path.isfile(geometry_file):
            raise InputError("the new district's geometry_file is not a file",
                             file=geometry_file, fix="check the path in the scenarios file")
        # EPSG:28992, valid, inside the Netherlands; a zip/gzip is bounded before GDAL reads it
        shape = read_geometry(geometry_file)
        geometry = shapely.union_all(shape.geometry.to_numpy())
    else:
        geometry, geoms = district_geometry(
            units, list(near or default_near(units)), dwellings / density * 10_000.0
        )

    base = write_state(units, before, before)  # accounting columns on the existing rows
    if geometry_file is None:
        base = base.set_geometry(geoms.to_numpy(), crs=CRS)
    prefix = str(units["unit_code"].iloc[0])[2:6]
    existing = set(units["unit_code"].astype(str))
    k = 1
    while f"BU{prefix}NW{k:02d}" in existing:
        k += 1
    code = f"BU{prefix}NW{k:02d}"
    row = {c: np.nan for c in base.columns if c != "geometry"}
    first = units.iloc[0]
    row.update(
        {
            "unit_code": code,
            "unit_name": unit_name,
            "level": first["level"],
            "municipality_code": first["municipality_code"],
            "municipality_name": first["municipality_name"],
            "wijk_code": "WK" + code[2:8],
            "year": first["year"],
            "population": population,
            "households": H.sum(),
            "dwellings": D.sum(),
            "dwellings_social": D[0],
            "dwellings_private_rent": D[1],
            "dwellings_owner_occupied": D[2],
            "households_low_income": L.sum(),
            "is_uninhabited": False,
            "is_water": False,
        }
    )
    row.update({col: population * s for col, s in shares.items()})
    for j, tenure in enumerate(TENURES):
        row[f"households_{tenure}"] = H[j]
        row[f"households_low_income_{tenure}"] = L[j]
    new = gpd.GeoDataFrame(pd.DataFrame([row]), geometry=[geometry], crs=CRS)
    table = pd.concat([base, new[base.columns]], ignore_index=True)
    for c in ACCOUNTING_COLUMNS:
        table[c] = table[c].astype("float64")
    table = gpd.GeoDataFrame(table, geometry="geometry", crs=CRS)
    costs = ScenarioCosts(dwellings_built=float(D.sum()), units_changed=1)
    return ScenarioResult(table, costs, {"new_unit_code": code})
