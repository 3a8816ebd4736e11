"""The embedded demo city: a deterministic, SYNTHETIC municipality so the workflow runs offline.

"Demostad (synthetisch)" is not a real place and its numbers are not CBS data. It is built
from a seed, so the committed copy in ``data/raw/demo/`` can always be regenerated with
``mixing demo --out data/raw/demo`` (which calls :func:`write_demo_city`).

How the city is made
--------------------
1. An irregular, smooth outline (a circle whose radius is a short Fourier series in the
   angle) centred near Amersfoort in RD New, crossed from west to east by a river.
2. Buurten: a Voronoi tessellation of seed points, denser towards the centre and
   half-relaxed with Lloyd's algorithm, generated per river bank and clipped to it. The
   river itself is cut into a few water-only buurten.
3. Wijken: graph-Voronoi regions (nearest seed along the buurt adjacency graph) around
   k-means centres, which makes every wijk a contiguous set of buurten.
4. Attributes from smooth spatial fields plus noise: social housing peaks in the centre-east
   and in a post-war ring; low incomes and non-western migration follow it; income and WOZ
   value go the other way. Counts are rounded to multiples of 5, as CBS does.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import Polygon

from mixing.io.files import atomic_path, write_text
from mixing.schema import CANONICAL_COLUMNS, COUNT_COLUMNS, CRS, validate_units

__all__ = [
    "ABSENT_COUNTS",
    "DEMO_CODE",
    "SYNTHETIC_PREFIX",
    "is_synthetic",
    "DEMO_NAME",
    "DEMO_SEED",
    "DEMO_YEAR",
    "DEMO_LAYER",
    "DEMO_FILENAME",
    "DEMO_VITALITY",
    "DEMO_WIJK_NAMES",
    "make_demo_city",
    "make_demo_vitality",
    "write_demo_city",
]

#: Canonical counts the demo city does not have (NaN, as in a real table without them):
#: benefit recipients are only in CBS's PC4 tables.
ABSENT_COUNTS = ("population_benefits",)

DEMO_CODE = "DEMO01"
#: Codes that start with this are synthetic demo municipalities, never CBS data.
SYNTHETIC_PREFIX = "DEMO"
DEMO_NAME = "Demostad (synthetisch)"
DEMO_SEED = 2024
DEMO_YEAR = 2024
DEMO_LAYER = "buurten"
DEMO_FILENAME = "buurten.gpkg"
#: A synthetic vitality screening of the residential buurten (see :func:`make_demo_vitality`).
DEMO_VITALITY = "vitality.csv"

#: Municipality number in the unit codes. CBS numbers run to about 2000; 9999 is never used.
_GM_NUMBER = "9999"
_CENTRE = (155_000.0, 463_000.0)  # RD New, near Amersfoort: plausibly inside NL
_RADIUS = 3_600.0  # mean radius of the outline, metres
_N_LAND = 132  # land buurten (residential + empty); plus _N_WATER water buurten
_N_WATER = 3
_N_WIJKEN = 10
_RIVER_HALF_WIDTH = 70.0
_GRID = 0.1  # coordinate precision, metres
_LOW_SOCIAL, _HIGH_SOCIAL = 0.05, 0.90
#: GeoPackage stores a "last change" timestamp; pin it so repeated writes are byte-identical.
_GPKG_DATE = "2024-01-01T00:00:00Z"

# Independent random streams, so changing one step does not reshuffle the others.
_STREAM_OUTLINE, _STREAM_RIVER, _STREAM_POINTS, _STREAM_WIJKEN = 1, 2, 3, 4
_STREAM_ATTRIBUTES, _STREAM_NAMES = 5, 6

_WIJK_NAMES = (
    "Binnenstad", "Havenkwartier", "Molenbroek", "Lindenhout", "De Gaarden", "Zuiderkamp",
    "Westerveld", "Oosterpolder", "Kerkebrink", "Vaartzicht",
)
#: Wijk names (the canonical table has no column for them; aggregations and maps may use
#: this). Wijk 01 holds the buurt nearest the city centre; the others run clockwise from north.
DEMO_WIJK_NAMES = {f"WK{_GM_NUMBER}{k + 1:02d}": name for k, name in enumerate(_WIJK_NAMES)}
_PREFIXES = ("Oude", "Nieuwe", "Hoge", "Lage", "Groot", "Klein")
_STEMS = (
    "Haven", "Molen", "Kerk", "Linden", "Eiken", "Beuken", "Wilgen", "Dijk", "Veld", "Brink",
    "Kamp", "Akker", "Weide", "Polder", "Singel", "Markt", "Vaart", "Sluis", "Brug", "Burcht",
    "Bos", "Hoeven", "Wei", "Esch", "Horst", "Rode",
)
_SUFFIXES = ("wijk", "buurt", "hof", "park", "kwartier", "zoom", "hoek", "laan")
_DIRECTIONS = ("Noord", "Zuid", "Oost", "West")
_RIVER_NAME = "Demstroom"
_RIVER_PARTS = ("West", "Midden", "Oost")
_EMPTY_NAMES = ("Bedrijventerrein De Kade", "Industrieterrein Havens-Oost", "Stadspark")



def is_synthetic(code: object) -> bool:
    """Whether a municipality code is a synthetic demo municipality (labelled as such).

    >>> is_synthetic("DEMO01"), is_synthetic("GM0518")
    (True, False)
    """
    return str(code).startswith(SYNTHETIC_PREFIX)

def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), stream])


def _round5(values: np.ndarray) -> np.ndarray:
    """Round to the nearest multiple of 5, as CBS publishes counts."""
    return np.round(np.asarray(values, dtype="float64") / 5.0) * 5.0


# --------------------------------------------------------------------------- geometry


def _outline(seed: int) -> Polygon:
    """The city outline: a smooth blob, radius ``R(1 + sum_k a_k cos(k t + phi_k))``."""
    rng = _rng(seed, _STREAM_OUTLINE)
    k = np.arange(2, 6)
    amplitude = rng.uniform(0.03, 0.09, k.size) / np.sqrt(k - 1)
    phase = rng.uniform(0.0, 2 * np.pi, k.size)
    theta = np.linspace(0.0, 2 * np.pi, 256, endpoint=False)
    radius = _RADIUS * (1 + (amplitude * np.cos(np.outer(theta, k) + phase)).sum(axis=1))
    xy = np.column_stack([_CENTRE[0] + radius * np.cos(theta), _CENTRE[1] + radius * np.sin(theta)])
    return shapely.set_precision(Polygon(np.round(xy, 1)), _GRID)


def _river(seed: int, outline: Polygon) -> Polygon:
    """A meandering river crossing the outline from west to east, south of the centre."""
    rng = _rng(seed, _STREAM_RIVER)
    x = np.linspace(-1.6, 1.6, 161) * _RADIUS
    phase = rng.uniform(0.0, 2 * np.pi)
    wavelength = rng.uniform(3_500.0, 5_000.0)
    offset, amplitude = rng.uniform(300.0, 700.0), rng.uniform(200.0, 400.0)
    y = -offset + amplitude * np.sin(2 * np.pi * x / wavelength + phase)
    line = shapely.LineString(np.column_stack([_CENTRE[0] + x, _CENTRE[1] + y]))
    water = shapely.intersection(shapely.buffer(line, _RIVER_HALF_WIDTH, quad_segs=4), outline)
    return shapely.set_precision(water, _GRID)


def _parts(geometry: shapely.Geometry) -> np.ndarray:
    """Polygon parts, largest first."""
    parts = shapely.get_parts(geometry)
    parts = parts[shapely.get_type_id(parts) == 3]
    return parts[np.argsort(-shapely.area(parts), kind="stable")]


def _sample_points(rng: np.random.Generator, region: Polygon, n: int) -> np.ndarray:
    """``n`` random points in ``region``, denser near the city centre (rejection sampling)."""
    xmin, ymin, xmax, ymax = region.bounds
    accepted = np.empty((0, 2))
    while len(accepted) < n:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(40 * n, 2))
        r2 = ((xy - _CENTRE) ** 2).sum(axis=1)
        # centre cells are ~3x denser than edge cells, as in real Dutch towns
        keep_p = 0.35 + 0.65 * np.exp(-r2 / (2 * (0.45 * _RADIUS) ** 2))
        inside = shapely.contains_xy(region, xy[:, 0], xy[:, 1])
        keep = inside & (rng.uniform(size=len(xy)) < keep_p)
        accepted = np.vstack([accepted, xy[keep]])
    return accepted[:n]


def _voronoi_cells(points: np.ndarray, region: Polygon) -> np.ndarray:
    """Voronoi cells of ``points`` (in input order), clipped to ``region``."""
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=region, ordered=True)
    )
    return shapely.intersection(cells, region)


def _tessellate(rng: np.random.Generator, region: Polygon, n: int, relax: int = 3) -> np.ndarray:
    """``n`` buurt polygons covering ``region``: half-relaxed Lloyd iterations keep size variety."""
    points = _sample_points(rng, region, n)
    for _ in range(relax):
        centroids = shapely.get_coordinates(shapely.centroid(_voronoi_cells(points, region)))
        points = 0.5 * (points + centroids)
    return _voronoi_cells(points, region)


def _absorb_fragments(cells: np.ndarray) -> np.ndarray:
    """Make every cell one polygon: give stray parts to the neighbour they share most edge with.

    A convex Voronoi cell clipped to a non-convex bank can fall apart into pieces; real buurten
    are rarely like that, so the small pieces join their neighbour.
    """
    cells = cells.copy()
    for i in np.flatnonzero(shapely.get_num_geometries(cells) > 1):
        parts = _parts(cells[i])
        cells[i] = parts[0]
        for part in parts[1:]:
            shared = shapely.length(shapely.intersection(cells, part))
            shared[i] = -1.0
            j = int(np.argmax(shared))
            cells[j] = shapely.union(cells[j], part)
    return cells


def _adjacency(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(i, j)``, ``i < j``, of units sharing a boundary, with the shared length."""
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.length(shapely.intersection(geoms[i], geoms[j]))
    rook = shared > 1.0
    return i[rook], j[rook], shared[rook]


def _wijken(
    rng: np.random.Generator, geoms: np.ndarray, is_water: np.ndarray, n_wijken: int
) -> tuple[np.ndarray, np.ndarray]:
    """Wijk label (0 .. n_wijken-1) per unit and the seed unit of each wijk.

    k-means on land centroids picks the wijk centres; every unit joins the centre nearest
    along the adjacency graph (Dijkstra) plus an additive offset per wijk that is tuned to
    even out the number of buurten per wijk. Such additively weighted graph-Voronoi regions
    are connected: if ``v`` joins wijk ``k``, so does every unit on the shortest path from
    ``k``'s seed to ``v`` (triangle inequality). Edges that touch water cost more, so wijken
    mostly stay on one bank.
    """
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    land = np.flatnonzero(~is_water)
    # farthest-point initialisation from a random land unit, then a few k-means steps
    chosen = [int(rng.choice(land))]
    for _ in range(n_wijken - 1):
        d = np.min(((xy[land, None, :] - xy[None, chosen, :]) ** 2).sum(axis=2), axis=1)
        chosen.append(int(land[np.argmax(d)]))
    centres = xy[chosen]
    for _ in range(10):
        label = np.argmin(((xy[land, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        for k in range(n_wijken):
            if np.any(label == k):
                centres[k] = xy[land][label == k].mean(axis=0)
    seeds = np.sort(land[np.argmin(((xy[land, None, :] - centres[None]) ** 2).sum(axis=2), axis=0)])
    if len(np.unique(seeds)) < n_wijken:
        raise RuntimeError("demo city: two wijk centres fell in the same buurt")

    i, j, _ = _adjacency(geoms)
    weight = np.hypot(*(xy[i] - xy[j]).T) * np.where(is_water[i] | is_water[j], 6.0, 1.0)
    graph = coo_matrix((weight, (i, j)), shape=(len(geoms), len(geoms))).tocsr()
    distance = dijkstra(graph, directed=False, indices=seeds)  # (n_wijken, n_units)
    if not np.all(np.isfinite(distance)):
        raise RuntimeError("demo city: the buurt adjacency graph is not connected")
    target = len(geoms) / n_wijken
    offset = np.zeros(n_wijken)
    best, best_spread = None, np.inf
    for _ in range(200):
        label = np.argmin(distance + offset[:, None], axis=0)
        counts = np.bincount(label, minlength=n_wijken)
        spread = np.abs(counts - target).max()
        if spread < best_spread:
            best, best_spread = label, spread
        offset += 15.0 * (counts - target) / target
    return best, seeds


# ------------------------------------------------------------------------- attributes


def _calibrate(field: np.ndarray, n_high: int) -> np.ndarray:
    """Monotone map of ``field`` onto social shares in [5 %, 90 %], exactly ``n_high`` > 70 %.

    Piecewise linear through (min, 5 %), (median, 25 %), (the (n_high+1)-th largest, 67 %),
    (the n_high-th largest, 73 %), (max, 90 %): ranks, and so the spatial pattern, are kept.
    """
    ordered = np.sort(field)
    knots = [ordered[0], np.median(field), ordered[-n_high - 1], ordered[-n_high], ordered[-1]]
    return np.interp(field, knots, [_LOW_SOCIAL, 0.25, 0.67, 0.73, _HIGH_SOCIAL])


def _attributes(rng: np.random.Generator, xy: np.ndarray) -> dict[str, np.ndarray]:
    """Counts and averages for residential buurten at positions ``xy`` (RD New)."""
    n = len(xy)
    dx, dy = (xy - _CENTRE).T / _RADIUS
    r = np.hypot(dx, dy)
    angle = np.arctan2(dy, dx)
    centrality = np.exp(-(r**2) / (2 * 0.4**2))

    # social housing: centre-east bump + a post-war ring strongest in the south-west + noise
    field = (
        0.55 * np.exp(-((dx - 0.30) ** 2 + (dy - 0.05) ** 2) / (2 * 0.22**2))
        + 0.40 * np.exp(-((r - 0.62) ** 2) / (2 * 0.12**2)) * (0.5 + 0.5 * np.cos(angle + 2.3))
        + 0.20 * np.exp(-((dx + 0.25) ** 2 + (dy - 0.55) ** 2) / (2 * 0.15**2))
        + rng.normal(0.0, 0.06, n)
    )
    social = _calibrate(field, n_high=int(rng.integers(3, 7)))
    private = np.clip(0.08 + 0.22 * centrality + rng.normal(0.0, 0.04, n), 0.02, None)
    private = np.minimum(private, 0.95 - social)

    size_draw = np.exp(rng.normal(np.log(900.0), 0.55, n))
    dwellings = _round5(np.clip(size_draw * (0.8 + 0.8 * centrality), 200, 3000))
    dwellings_social = _round5(dwellings * social)
    dwellings_private = _round5(dwellings * private)
    households = _round5(np.minimum(0.95 * dwellings * rng.normal(1.0, 0.02, n), dwellings))
    # smaller households in the centre, families in the social-housing and outer areas
    size = 2.1 * (1 + 0.10 * (r - 0.6) + 0.08 * (social - 0.3)) * rng.normal(1.0, 0.03, n)
    population = _round5(households * size)

    z_social = (social - social.mean()) / social.std()
    rho = 0.8
    z_low = rho * z_social + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    low_share = np.clip(0.09 + 0.055 * z_low, 0.01, 0.40)
    nonwestern = np.clip(0.04 + 0.40 * social + 0.6 * (low_share - 0.09) + rng.normal(0.0, 0.04, n),
                         0.01, 0.65)
    western = np.clip(0.09 + 0.06 * centrality + rng.normal(0.0, 0.02, n), 0.02, 0.25)

    pop_western = _round5(population * western)
    pop_nonwestern = _round5(population * nonwestern)
    migrants = pop_western + pop_nonwestern
    # the 2022+ CBS classification by continent; most western migrants are European
    origin_europe = np.minimum(_round5(0.85 * pop_western + 0.12 * pop_nonwestern), migrants)

    income = np.clip(34.0 - 60.0 * (low_share - 0.09) - 10.0 * (social - 0.3)
                     + 4.0 * (centrality - 0.3) + rng.normal(0.0, 1.5, n), 18.0, 60.0)
    woz = np.clip(380.0 - 320.0 * (social - 0.3) + 60.0 * centrality + rng.normal(0.0, 30.0, n),
                  150.0, 900.0)
    return {
        "population": population,
        "households": households,
        "dwellings": dwellings,
        "dwellings_social": dwellings_social,
        "dwellings_private_rent": dwellings_private,
        "dwellings_owner_occupied": dwellings - dwellings_social - dwellings_private,
        "households_low_income": _round5(households * low_share),
        "population_migration_western": pop_western,
        "population_migration_nonwestern": pop_nonwestern,
        "population_origin_dutch": population - migrants,
        "population_origin_europe": origin_europe,
        "population_origin_outside_europe": migrants - origin_europe,
        "mean_income": np.round(income, 1),
        "mean_woz": np.round(woz),
    }


def _buurt_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct Dutch-sounding names composed from parts (Oude Haven, Molenwijk-Noord)."""
    pool = sorted(
        {f"{p} {s}" for p in _PREFIXES for s in _STEMS}
        | {f"{s}{x}" for s in _STEMS for x in _SUFFIXES}
        | {f"{s}{x}-{d}" for s in _STEMS for x in _SUFFIXES[:3] for d in _DIRECTIONS}
        - set(_WIJK_NAMES) - set(_EMPTY_NAMES)
    )
    return [pool[k] for k in rng.choice(len(pool), size=n, replace=False)]


# --------------------------------------------------------------------------- public API


def make_demo_city(
    seed: int = DEMO_SEED,
    *,
    code: str = DEMO_CODE,
    name: str = DEMO_NAME,
    year: int = DEMO_YEAR,
) -> gpd.GeoDataFrame:
    """Build the synthetic demo municipality as a canonical units table (level ``buurt``).

    The city has 135 buurten in 10 wijken on both banks of a river, in EPSG:28992 around
    (155000, 463000). It is SYNTHETIC: no number in it comes from CBS.

    Parameters
    ----------
    seed : int
        Seed of every random draw. The same seed gives an identical table on every run.
    code : str
        ``municipality_code``. The default ``DEMO01`` is a demo code that
        :data:`mixing.schema.MUNICIPALITY_PATTERN` accepts and no CBS municipality has.
    name : str
        ``municipality_name``; the default says ``synthetisch`` so no map passes it off as real.
    year : int
        ``year`` of every row.

    Returns
    -------
    geopandas.GeoDataFrame
        Exactly :data:`mixing.schema.CANONICAL_COLUMNS`, one row per buurt, sorted by code.
        Unit codes use municipality number 9999, which CBS never assigns: wijken are
        ``WK999901`` ... ``WK999910`` and buurten ``BU9999WWBB`` (wijk ``WW``, buurt ``BB``).

    Notes
    -----
    - Three water-only buurten (the river, ``is_water`` True) and three land buurten without
      residents (two industrial estates and a park) have all counts 0, ``mean_income`` and
      ``mean_woz`` NaN, and ``is_uninhabited`` True (water units are empty too: no residents, no
      dwellings).
    - Residential buurten have 200-3000 dwellings, households ~ 0.95 x dwellings, population
      ~ 2.1 x households, all counts rounded to multiples of 5 as CBS does.
      ``dwellings_social + dwellings_private_rent + dwellings_owner_occupied = dwellings`` and
      ``population_origin_dutch + _europe + _outside_europe = population``, where
      ``population_origin_dutch = population - population_migration_western -
      population_migration_nonwestern``.
    - The social-housing share is a smooth spatial field (centre-east cluster, a post-war
      ring in the south-west, a smaller northern cluster) plus noise, mapped monotonically
      onto 5 %-90 % with 3-6 buurten above 70 %; Moran's I (queen, residential buurten)
      is about 0.5 (0.47-0.65 over seeds). The
      low-income share correlates with it at about 0.8; non-western migration follows it;
      mean income and mean WOZ value fall with it.

    Examples
    --------
    >>> from mixing.io.demo import make_demo_city
    >>> units = make_demo_city()
    >>> units["municipality_code"].iloc[0], len(units)
    ('DEMO01', 135)
    """
    outline = _outline(seed)
    water = _river(seed, outline)
    banks = _parts(shapely.difference(outline, water))
    # slivers cut off by the river (if any) become water, so exactly two banks remain
    if len(banks) > 2:
        water = shapely.difference(outline, shapely.union_all(banks[:2]))
        water = shapely.set_precision(water, _GRID)
        banks = banks[:2]

    rng = _rng(seed, _STREAM_POINTS)
    areas = shapely.area(banks)
    n_first = int(round(_N_LAND * areas[0] / areas.sum()))
    land = np.concatenate([
        _absorb_fragments(_tessellate(rng, bank, n))
        for bank, n in zip(banks, (n_first, _N_LAND - n_first), strict=True)
    ])
    xmin, ymin, xmax, ymax = water.bounds
    cuts = np.linspace(xmin, xmax, _N_WATER + 1)
    strips = shapely.box(cuts[:-1], ymin - 1, cuts[1:], ymax + 1)
    river = _absorb_fragments(shapely.intersection(water, strips))

    # round to 0.1 m, then make shared edges identical: rounding moves T-junctions (a Voronoi
    # edge meeting the river bank) off the neighbour's edge and leaves m2-sized slivers
    geoms = shapely.set_precision(np.concatenate([land, river]), _GRID, mode="pointwise")
    geoms = shapely.coverage_clean(geoms, snapping_distance=_GRID)
    # the nodes coverage_clean adds at crossings are off the grid: round them too (a plain
    # set_precision is a no-op here, as the polygons already carry a 0.1 m precision model)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, 1))
    if not (np.all(shapely.get_type_id(geoms) == 3) and np.all(shapely.is_valid(geoms))):
        raise RuntimeError(
            f"demo city (seed {seed}): the tessellation produced invalid or multi-part buurten"
        )
    n = len(geoms)
    is_water = np.zeros(n, dtype=bool)
    is_water[len(land):] = True

    wijk, seeds = _wijken(_rng(seed, _STREAM_WIJKEN), geoms, is_water, _N_WIJKEN)
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    rel = xy - _CENTRE
    # number wijken: 01 holds the buurt nearest the centre, the rest clockwise from north
    seed_rel = rel[seeds]
    bearing = np.mod(np.arctan2(seed_rel[:, 0], seed_rel[:, 1]), 2 * np.pi)
    centre_wijk = wijk[np.argmin(np.hypot(*rel.T) + 1e9 * is_water)]
    bearing[centre_wijk] = -1.0
    wijk_number = np.empty(_N_WIJKEN, dtype=int)
    wijk_number[np.argsort(bearing, kind="stable")] = np.arange(1, _N_WIJKEN + 1)
    number = wijk_number[wijk]
    # buurten within a wijk: from the city centre outwards
    order = np.lexsort((np.hypot(*rel.T), number))
    geoms, is_water, number, xy = geoms[order], is_water[order], number[order], xy[order]
    within = np.arange(n) - np.searchsorted(number, number)  # 0, 1, ... inside each wijk
    wijk_code = np.char.add(f"WK{_GM_NUMBER}", np.char.zfill(number.astype(str), 2))
    unit_code = np.char.add(np.char.replace(wijk_code, "WK", "BU"),
                            np.char.zfill((within + 1).astype(str), 2))

    # empty land units: the two easternmost riverside units (industry), one north-west (park)
    land_idx = np.flatnonzero(~is_water)
    riverside = shapely.intersects(geoms[land_idx], shapely.buffer(water, 1.0))
    industry = land_idx[riverside][np.argsort(-xy[land_idx[riverside], 0], kind="stable")[:2]]
    park_target = np.array(_CENTRE) + (-0.40 * _RADIUS, 0.35 * _RADIUS)
    candidates = np.setdiff1d(land_idx, industry)
    park = candidates[np.argmin(((xy[candidates] - park_target) ** 2).sum(axis=1))]
    empty_land = np.zeros(n, dtype=bool)
    empty_land[industry] = True
    empty_land[park] = True
    residential = ~is_water & ~empty_land

    data = {column: np.zeros(n) for column in COUNT_COLUMNS}
    data["mean_income"] = np.full(n, np.nan)
    data["mean_woz"] = np.full(n, np.nan)
    for column in ABSENT_COUNTS:
        data[column] = np.full(n, np.nan)
    for column, values in _attributes(_rng(seed, _STREAM_ATTRIBUTES), xy[residential]).items():
        data[column][residential] = values

    names = np.empty(n, dtype=object)
    names[residential] = _buurt_names(_rng(seed, _STREAM_NAMES), int(residential.sum()))
    names[industry] = _EMPTY_NAMES[:2]
    names[park] = _EMPTY_NAMES[2]
    water_idx = np.flatnonzero(is_water)
    names[water_idx[np.argsort(xy[water_idx, 0], kind="stable")]] = [
        f"{_RIVER_NAME}-{part}" for part in _RIVER_PARTS
    ]

    units = gpd.GeoDataFrame(
        {
            "unit_code": unit_code.astype(object),
            "unit_name": names,
            "level": "buurt",
            "municipality_code": code,
            "municipality_name": name,
            "wijk_code": wijk_code.astype(object),
            "year": np.full(n, year, dtype="int64"),
            **data,
            "is_uninhabited": ~residential,
            "is_water": is_water,
        },
        geometry=gpd.GeoSeries(geoms, crs=CRS),
        crs=CRS,
    )
    units = units.sort_values("unit_code", ignore_index=True)[list(CANONICAL_COLUMNS)]
    return validate_units(units, source=f"mixing.io.demo.make_demo_city(seed={seed})")


@contextlib.contextmanager
def _gdal_config(**options: str) -> Iterator[None]:
    """Set GDAL config options for the duration of the block, then restore them."""
    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


_COLUMN_DOCS = {
    "unit_code": "buurt code BU9999WWBB (municipality number 9999, wijk WW, buurt BB)",
    "unit_name": "buurt name (invented, unique)",
    "level": "always `buurt`",
    "municipality_code": "demo code (not a CBS GM code)",
    "municipality_name": "municipality name, marked `synthetisch`",
    "wijk_code": "wijk code WK9999WW",
    "year": "reference year",
    "population": "inhabitants",
    "households": "private households",
    "dwellings": "dwellings",
    "dwellings_social": "dwellings owned by housing corporations",
    "dwellings_private_rent": "dwellings rented from other landlords",
    "dwellings_owner_occupied": "owner-occupied dwellings",
    "households_low_income": "households with a low income",
    "population_migration_western": "inhabitants with a western migration background",
    "population_migration_nonwestern": "inhabitants with a non-western migration background",
    "population_origin_dutch": "inhabitants of Dutch origin "
    "(population minus both migration columns)",
    "population_origin_europe": "inhabitants of European origin (excluding the Netherlands)",
    "population_origin_outside_europe": "inhabitants of origin outside Europe",
    "population_benefits": "benefit recipients below the pension age (not in the demo: NaN)",
    "mean_income": "mean income per inhabitant, x 1000 euro (NaN without residents)",
    "mean_woz": "mean WOZ value of dwellings, x 1000 euro (NaN without residents)",
    "is_uninhabited": "True when the buurt has no residents and no dwellings "
    "(industry, park, water)",
    "is_water": "True for the water-only buurten (the river)",
    "geometry": "buurt polygon, EPSG:28992 (RD New), coordinates rounded to 0.1 m",
}


def _readme(units: gpd.GeoDataFrame, seed: int) -> str:
    from mixing import __version__

    residential = ~units["is_uninhabited"]
    social = units.loc[residential, "dwellings_social"] / units.loc[residential, "dwellings"]
    columns = "\n".join(f"- `{c}`: {_COLUMN_DOCS[c]}" for c in CANONICAL_COLUMNS)
    n_water, n_empty = int(units["is_water"].sum()), int(units["is_uninhabited"].sum())
    per_wijk = units.groupby("wijk_code")["unit_code"].count()
    wijken = "\n".join(
        f"- `{code}` {DEMO_WIJK_NAMES[code]}: {count} buurten" for code, count in per_wijk.items()
    )
    return f"""# Demo city: {units['municipality_name'].iloc[0]}

**SYNTHETIC DATA — NOT CBS.** This municipality does not exist. Every boundary and every
number here was generated by a random procedure; do not cite or map it as a real place.

It is the embedded default dataset of `mixing`, so the workflow runs offline on a fresh
machine. For real data see the project README.

## How it was generated

- function: `mixing.io.demo.write_demo_city` (tables from `mixing.io.demo.make_demo_city`)
- seed: {seed}
- mixing version: {__version__}
- regenerate with: `mixing demo --out data/raw/demo`

Buurten are a Voronoi tessellation of seed points clipped to a smooth outline in
EPSG:28992 (RD New) near (155000, 463000), crossed by a river; wijken are contiguous groups
of buurten. Counts come from smooth spatial fields plus noise and are rounded to multiples
of 5, as CBS does. See the docstring of `mixing.io.demo.make_demo_city` for details.

- municipality code: `{units['municipality_code'].iloc[0]}` (unit codes use number 9999, which
  CBS never assigns)
- buurten: {len(units)} in {units['wijk_code'].nunique()} wijken
- water-only buurten: {n_water}; buurten without residents (including water): {n_empty}
- population: {int(units['population'].sum()):,}; dwellings: {int(units['dwellings'].sum()):,}
- social-housing share per residential buurt: {social.min():.0%} to {social.max():.0%}

Wijk names (not a column of the table; also in `mixing.io.demo.DEMO_WIJK_NAMES`):

{wijken}

## Files

- `buurten.gpkg`, layer `buurten`: the canonical units table (`mixing.schema`), one row per
  buurt. Counts are floats; `mean_income` (x 1000 euro per inhabitant) and `mean_woz`
  (x 1000 euro) are NaN for units without residents.
- `vitality.csv`: a synthetic vitality screening of the residential buurten (a housing
  corporation's liveability x organising capacity x resilience, each 1-3; liveability as a
  Leefbaarometer class 1-9), read by `mixing.tables.vitality.vitality_table`; see
  `mixing.io.demo.make_demo_vitality`.

## Columns

{columns}
"""


def write_demo_city(directory: str | os.PathLike, seed: int = DEMO_SEED) -> Path:
    """Write the demo city to ``directory``: ``buurten.gpkg`` and a README.md.

    Parameters
    ----------
    directory : str or path-like
        Output folder, created if missing. Existing files are replaced atomically.
    seed : int
        Passed to :func:`make_demo_city`.

    Returns
    -------
    pathlib.Path
        Path of the written GeoPackage (layer ``buurten``).

    Notes
    -----
    GeoPackage records a "last change" timestamp; it is pinned (GDAL config option
    ``OGR_CURRENT_DATE``) so that writing the same seed twice gives byte-identical files
    with the same GDAL version.

    Examples
    --------
    >>> write_demo_city("data/raw/demo")  # doctest: +SKIP
    PosixPath('data/raw/demo/buurten.gpkg')
    """
    directory = Path(directory)
    units = make_demo_city(seed)
    target = directory / DEMO_FILENAME
    with atomic_path(target) as tmp, _gdal_config(OGR_CURRENT_DATE=_GPKG_DATE):
        # GDAL wants a .gpkg name and a file it creates itself; stage beside the temporary file
        staging = tmp.with_name(tmp.name + ".gpkg")
        try:
            units.to_file(staging, layer=DEMO_LAYER, driver="GPKG", engine="pyogrio")
            os.replace(staging, tmp)
        finally:
            staging.unlink(missing_ok=True)
    write_text(directory / "README.md", _readme(units, seed))
    write_text(directory / DEMO_VITALITY, make_demo_vitality(units, seed).to_csv(index=False))
    return target


def make_demo_vitality(units: gpd.GeoDataFrame, seed: int = DEMO_SEED) -> pd.DataFrame:
    """A SYNTHETIC vitality screening of the demo city's residential buurten.

    One row per residential buurt with the corporation's three factors, each 1 (good) to 3
    (worrying), as :func:`mixing.tables.vitality.vitality_table` reads them: liveability
    as a Leefbaarometer class (1-9), worse where more households have a low income;
    organising capacity drawn at random; resilience worse where social housing is
    concentrated. Deterministic for a seed.
    """
    rng = np.random.default_rng([seed, 1])
    home = units[~units["is_uninhabited"]].sort_values("unit_code")
    low = (home["households_low_income"] / home["households"]).to_numpy()
    social = (home["dwellings_social"] / home["dwellings"]).to_numpy()
    rank = low.argsort().argsort() / max(len(low) - 1, 1)  # 0 = fewest low incomes
    klasse = np.clip(np.rint(8 - 6 * rank + rng.normal(0, 1, len(low))), 1, 9).astype(int)
    return pd.DataFrame({
        "buurtcode": home["unit_code"].to_numpy(),
        "leefbaarometer_klasse": klasse,
        "organiserend_vermogen": rng.integers(1, 4, len(low)),
        "veerkracht": np.select([social >= 0.6, social >= 0.35], [3, 2], 1),
    })
