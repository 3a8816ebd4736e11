r"""Postcode areas (PC4, PC6) to municipalities: every postcode in exactly one.

Postcode files carry no municipality, and postcodes do not follow municipal borders.
:func:`assign_postcodes` puts each postcode in the municipality that holds the largest part
of its area, by overlaying the postcode polygons on buurt, wijk or gemeente boundaries
(``regions``; a buurt or wijk code carries its municipality, ``BU0518xxxx`` -> ``GM0518``):

.. math:: m(p) = \arg\max_m A(p \cap R_m) \quad\text{if}\quad
          \max_m A(p \cap R_m) > A(p) - \sum_m A(p \cap R_m)

The condition makes the part of the postcode that no region covers a competitor: regions
that cover a postcode only partly (the buurten of one municipality, say) never pull it in
when most of it lies elsewhere or outside the regions. Such postcodes get no municipality
and are counted (:attr:`PostcodeAssignment.outside`). One exception: regions that cover
(nearly) all the postcodes' land (at least :data:`COMPLETE` of the total area, a national
buurt file under a national PC4 file) are the whole country, so a postcode mostly outside
them is land they do not know yet (PC4 1086, IJburg's Strandeiland, reclaimed after the
2019 boundaries): it goes to its largest overlap, counted in
:attr:`PostcodeAssignment.beyond`.

Boundaries older than the statistics: municipalities merged since the boundaries' year are
mapped to their successor (:data:`MERGERS`, applied when the statistics are of the merger's
year or later); Haaren (GM0788), divided among four neighbours in 2021, is mapped per
postcode (:data:`SPLITS`), the parts of other postcodes in it go to their next-largest
municipality. Postcodes without a polygon (codes newer than the boundaries) go where their
numerically nearest postcode with a municipality went (postcodes are numbered along the
delivery route, so neighbouring numbers are neighbouring areas), counted in
:attr:`PostcodeAssignment.placed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

__all__ = ["COMPLETE", "MERGERS", "SPLITS", "PostcodeAssignment", "assign_postcodes",
           "successor"]

#: Regions covering at least this share of the postcodes' total area are complete.
COMPLETE = 0.99

#: Municipalities merged into another since the 2019 boundaries (the oldest national
#: boundaries the project reads): old code -> (new code, year of the first January the new
#: municipality existed). Source: CBS "Gemeentelijke indelingen per jaar" 2020-2024.
MERGERS: dict[str, tuple[str, int]] = {
    "GM0003": ("GM1979", 2021), "GM0010": ("GM1979", 2021), "GM0024": ("GM1979", 2021),
    "GM0370": ("GM0439", 2022),  # Beemster into Purmerend
    "GM0398": ("GM1980", 2022), "GM0416": ("GM1980", 2022),  # Dijk en Waard
    "GM0457": ("GM0363", 2022),  # Weesp into Amsterdam (24 March 2022)
    "GM0756": ("GM1982", 2022), "GM0786": ("GM1982", 2022), "GM0815": ("GM1982", 2022),
    "GM1684": ("GM1982", 2022), "GM1702": ("GM1982", 2022),  # Land van Cuijk
    "GM0856": ("GM1991", 2022), "GM1685": ("GM1991", 2022),  # Maashorst
    "GM0501": ("GM1992", 2023), "GM0530": ("GM1992", 2023),
    "GM0614": ("GM1992", 2023),  # Voorne aan Zee
}

#: Municipalities divided among several others: code -> (year, {postcode: new code}).
#: Haaren (2021): Biezenmortel to Tilburg, Haaren to Oisterwijk, Helvoirt to Vught, Esch
#: to Boxtel; these four PC4s are Haaren's in the CBS PC4 list of 2020.
SPLITS: dict[str, tuple[int, dict[str, str]]] = {
    "GM0788": (2021, {"5074": "GM0855", "5076": "GM0824", "5268": "GM0865",
                      "5296": "GM0757"}),
}


def successor(code: str, year: int) -> str:
    """The municipality ``code`` became by 1 January ``year`` (itself when unchanged).

    >>> successor("GM0457", 2023), successor("GM0457", 2021), successor("GM0518", 2023)
    ('GM0363', 'GM0457', 'GM0518')
    """
    new, since = MERGERS.get(code, (code, 0))
    return new if year >= since else code


@dataclass(frozen=True, eq=False)
class PostcodeAssignment:
    """Result of :func:`assign_postcodes`.

    Attributes
    ----------
    municipality : numpy.ndarray
        GM code per postcode (object), None where it has none.
    share : numpy.ndarray
        Fraction of the postcode's area in that municipality (NaN without polygon).
    outside : numpy.ndarray
        Boolean: the postcode overlaps the regions but lies mostly outside them.
    placed : numpy.ndarray
        Boolean: no polygon, placed by its numerically nearest postcode.
    beyond : numpy.ndarray
        Boolean: mostly outside complete regions, assigned to its largest overlap.
    overlaps : pandas.DataFrame
        ``postcode`` (position), ``municipality``, ``area``: every postcode-municipality
        overlap, after merged municipalities were mapped to their successor.
    """

    municipality: np.ndarray
    share: np.ndarray
    outside: np.ndarray
    placed: np.ndarray
    beyond: np.ndarray
    overlaps: pd.DataFrame


def _region_municipalities(codes: pd.Series) -> np.ndarray:
    codes = codes.astype("string").str.strip().str.upper()
    municipality = codes.where(codes.str.match(r"^GM\d{4}$"), "GM" + codes.str[2:6]).where(
        codes.str.match(r"^(GM\d{4}|WK\d{6}|BU\d{8})$"))
    return municipality.astype(object).where(municipality.notna(), None).to_numpy()


def _overlaps(shapes: np.ndarray, areas: np.ndarray, municipality: np.ndarray,
              codes: np.ndarray, year: int | None) -> pd.DataFrame:
    tree = shapely.STRtree(areas)
    left, right = tree.query(shapes, predicate="intersects")
    keep = pd.notna(municipality[right])
    left, right = left[keep], right[keep]
    area = shapely.area(shapely.intersection(shapes[left], areas[right], grid_size=None))
    pairs = pd.DataFrame({"postcode": left, "municipality": municipality[right],
                          "area": area})
    pairs = pairs[pairs["area"] > 0]
    if year is not None:
        pairs["municipality"] = [successor(m, year) for m in pairs["municipality"]]
        for old, (since, parts) in SPLITS.items():
            if year < since:
                continue
            mine = (pairs["municipality"] == old).to_numpy()
            new = pd.Series(codes[pairs["postcode"].to_numpy()[mine]]).map(parts).to_numpy()
            pairs.loc[mine, "municipality"] = new  # others: their next-largest municipality
            pairs = pairs[pairs["municipality"].notna()]
    return pairs.groupby(["postcode", "municipality"], sort=True, as_index=False)["area"].sum()


def _nearest_code(codes: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Position (in ``codes``) of the numerically nearest known code, per code; lower wins."""
    numbers = pd.to_numeric(pd.Series(codes).str.extract(r"^(\d+)", expand=False),
                            errors="coerce").to_numpy(dtype=float)
    have = np.flatnonzero(known & np.isfinite(numbers))
    order = have[np.argsort(numbers[have], kind="stable")]
    sorted_numbers = numbers[order]
    slot = np.searchsorted(sorted_numbers, numbers)
    lower = order[np.clip(slot - 1, 0, len(order) - 1)]
    upper = order[np.clip(slot, 0, len(order) - 1)]
    with np.errstate(invalid="ignore"):
        use_upper = (slot == 0) | ((slot < len(order)) & (
            numbers[upper] - numbers < numbers - numbers[lower]))
    return np.where(use_upper, upper, lower)


def assign_postcodes(codes, shapes, region_codes, region_shapes, *,
                     year: int | None = None) -> PostcodeAssignment:
    """Each postcode's municipality: where most of its area lies (see the module notes).

    Parameters
    ----------
    codes : array-like of str
        Postcodes (``"7311"``), one per shape.
    shapes : array-like of shapely geometries
        Postcode polygons in EPSG:28992; None/empty for a postcode without polygon.
    region_codes : array-like of str
        Buurt, wijk or gemeente codes of the regions; others are ignored.
    region_shapes : array-like of shapely geometries
        Region polygons, same CRS.
    year : int, optional
        Year of the statistics: municipalities merged by then (:data:`MERGERS`,
        :data:`SPLITS`) are replaced by their successors. None keeps the regions' codes.

    Returns
    -------
    PostcodeAssignment

    Examples
    --------
    >>> from shapely import box
    >>> a = assign_postcodes(["7311", "7312"], [box(0, 0, 10, 10), box(8, 0, 20, 10)],
    ...                      ["BU02000001"], [box(0, 0, 10, 10)])
    >>> a.municipality.tolist(), a.outside.tolist()
    (['GM0200', None], [False, True])
    """
    codes = np.asarray(pd.Series(codes, dtype=object).astype(str), dtype=object)
    shapes = np.asarray(shapes, dtype=object)
    has_shape = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    region_shapes = np.asarray(region_shapes, dtype=object)
    municipality = _region_municipalities(pd.Series(region_codes, dtype=object))
    pairs = _overlaps(shapes, region_shapes, municipality, codes, year)
    n = len(codes)
    covered = np.bincount(pairs["postcode"], weights=pairs["area"], minlength=n)
    best = pairs.loc[pairs.groupby("postcode")["area"].idxmax()] if len(pairs) else pairs
    position = best["postcode"].to_numpy(dtype=int)
    won = np.zeros(n)
    won[position] = best["area"].to_numpy()
    result = np.full(n, None, dtype=object)
    result[position] = best["municipality"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(has_shape, shapely.area(shapes), np.nan)
        outside = has_shape & (covered > 0) & (won <= total - covered)
        share = np.where(has_shape & pd.notna(result), won / total, np.nan)
    beyond = np.zeros(n, dtype=bool)
    if covered.sum() >= COMPLETE * np.nansum(total):
        outside, beyond = beyond, outside
    result[outside] = None
    share[outside] = np.nan
    placed = ~has_shape
    assigned = pd.notna(result)
    if placed.any() and assigned.any():
        result[placed] = result[_nearest_code(codes, assigned)[placed]]
    else:
        placed = np.zeros(n, dtype=bool)
    return PostcodeAssignment(result, share, outside, placed, beyond, pairs)
