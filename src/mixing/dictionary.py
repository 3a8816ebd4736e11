"""The data dictionary: every column of every output table, with its unit and meaning.

Where the code declares a table's columns (:data:`mixing.schema.CANONICAL_COLUMNS`,
:data:`mixing.tables.frames.INDEX_COLUMNS`, :data:`mixing.scenarios.SUMMARY_COLUMNS`, ...),
:data:`TABLES` reads them from there, so a new column without a description fails
``tests/test_docs.py``. Tables whose columns are built at run time (scales, change, regions)
list them here, and the test compares the lists with what the code writes. A column that
means the same thing in several tables is described once (:data:`COLUMNS`); a table
overrides a description only where the column means something else there.

Names in braces are patterns: ``value_{scale}`` stands for ``value_buurt``,
``value_wijk``, ``value_grid500m``, ... (:data:`PATTERNS`).

Examples
--------
>>> describe("indices", "p_value").unit
'p-value'
>>> describe("scales", "value_grid500m").name
'value_{scale}'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mixing.catalogue import HEADLINE_INDICES
from mixing.errors import InputError
from mixing.scenarios import ASSUMPTION_COLUMNS, ASSUMPTION_SOURCES, SUMMARY_COLUMNS
from mixing.scenarios.state import ACCOUNTING_COLUMNS
from mixing.schema import CANONICAL_COLUMNS
from mixing.tables import clusters, frames, vitality

__all__ = [
    "UNITS",
    "PATTERNS",
    "Column",
    "Table",
    "COLUMNS",
    "TABLES",
    "describe",
    "documented_name",
]

#: Units of measurement: key -> (English, Dutch).
UNITS: dict[str, tuple[str, str]] = {
    "code": ("identifier (CBS code or name)", "code"),
    "text": ("text", "tekst"),
    "category": ("one of a fixed set of values", "categorie"),
    "year": ("calendar year", "jaar"),
    "count": ("number of dwellings, households or persons (float; NaN = unknown)",
              "aantal (NaN = onbekend)"),
    "integer": ("whole number", "geheel getal"),
    "share": ("share, 0-1", "aandeel, 0-1"),
    "ratio": ("ratio (dimensionless)", "verhouding"),
    "index": ("index value (see the index reference for its range)", "indexwaarde"),
    "p-value": ("p-value, 0-1", "p-waarde, 0-1"),
    "z-score": ("standard score", "z-score"),
    "boolean": ("true / false", "waar / onwaar"),
    "years": ("years", "jaren"),
    "k EUR": ("x 1,000 euro", "x 1.000 euro"),
    "nats": ("natural-log information units (nats)", "nats (natuurlijke logaritme)"),
    "geometry": ("polygon in EPSG:28992 (RD New), coordinates in m", "polygoon in EPSG:28992 (m)"),
    "index per household": ("index change per displaced household",
                            "indexverandering per verhuisd huishouden"),
    "index per dwelling": ("index change per converted or demolished dwelling",
                           "indexverandering per omgezette of gesloopte woning"),
}

#: Placeholders in pattern names: name -> (regular expression, the values in words).
PATTERNS: dict[str, tuple[str, str]] = {
    "scale": (r"buurt|wijk|gemeente|pc4|pc6|grid[0-9]+m",
              "buurt, wijk, gemeente, pc4, pc6 or a grid such as grid500m"),
    "grid": (r"grid[0-9]+m", "a grid of the configured cell size, e.g. grid500m"),
}


@dataclass(frozen=True)
class Column:
    """One documented column (or column pattern) of an output table."""

    name: str
    unit: str
    en: str
    nl: str = ""

    def __post_init__(self) -> None:
        """Refuse a unit that :data:`UNITS` does not explain."""
        if self.unit not in UNITS:
            raise ValueError(f"column {self.name!r}: unknown unit {self.unit!r}; use {list(UNITS)}")

    @property
    def pattern(self) -> re.Pattern:
        """The name as a regular expression (placeholders from :data:`PATTERNS`)."""
        parts = re.split(r"\{(\w+)\}", self.name)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?:{PATTERNS[p][0]})"
                        for i, p in enumerate(parts))
        return re.compile(f"^{regex}$")


def _columns(*specs: tuple[str, str, str, str]) -> dict[str, Column]:
    return {name: Column(name, unit, en, nl) for name, unit, en, nl in specs}


_COUNT_EN = {
    "population": "residents", "households": "private households", "dwellings": "dwellings",
    "dwellings_social": "dwellings owned by housing corporations (social rent)",
    "dwellings_private_rent": "dwellings rented from other landlords",
    "dwellings_owner_occupied": "owner-occupied dwellings",
    "households_low_income": "households with a low income",
    "population_migration_western": "residents with a western migration background",
    "population_migration_nonwestern": "residents with a non-western migration background",
    "population_origin_dutch": "residents of Dutch origin (CBS 2022+ classification)",
    "population_origin_europe": "residents of European origin outside the Netherlands (2022+)",
    "population_origin_outside_europe": "residents of origin outside Europe (2022+)",
}
_COUNT_NL = {
    "population": "inwoners", "households": "particuliere huishoudens", "dwellings": "woningen",
    "dwellings_social": "woningen in bezit van woningcorporaties",
    "dwellings_private_rent": "huurwoningen van overige verhuurders",
    "dwellings_owner_occupied": "koopwoningen",
    "households_low_income": "huishoudens met een laag inkomen",
    "population_migration_western": "inwoners met een westerse migratieachtergrond",
    "population_migration_nonwestern": "inwoners met een niet-westerse migratieachtergrond",
    "population_origin_dutch": "inwoners met herkomst Nederland",
    "population_origin_europe": "inwoners met herkomst Europa (excl. Nederland)",
    "population_origin_outside_europe": "inwoners met herkomst buiten Europa",
}

#: Columns that mean the same in every table they appear in.
COLUMNS: dict[str, Column] = {
    **_columns(
        ("unit_code", "code", "CBS code of the unit: BU + 8 (buurt), WK + 6 (wijk), GM + 4 "
         "(gemeente), a PC4/PC6 postcode or a grid cell E####N####",
         "CBS-code van de buurt, wijk, gemeente of postcode"),
        ("unit_name", "text", "name of the unit as CBS publishes it (empty when the source has "
         "none)", "naam van de buurt of wijk"),
        ("level", "category", "spatial level: buurt, wijk, gemeente, pc4 or pc6",
         "ruimtelijk niveau"),
        ("municipality_code", "code", "CBS municipality code (GM0518) or demo code (DEMO01)",
         "gemeentecode"),
        ("municipality_name", "text", "municipality name", "gemeentenaam"),
        ("wijk_code", "code", "code of the wijk the buurt lies in (WK + 6 digits)", "wijkcode"),
        ("year", "year", "year of the CBS data", "jaar van de CBS-gegevens"),
        ("mean_income", "k EUR", "mean income per inhabitant", "gemiddeld inkomen per inwoner"),
        ("mean_woz", "k EUR", "mean WOZ (assessed) value of dwellings",
         "gemiddelde WOZ-waarde van woningen"),
        ("is_uninhabited", "boolean", "no residents and no dwellings (unknown counts as none); "
         "kept in the table, never in an index", "onbewoond: telt in geen index mee"),
        ("is_water", "boolean", "the unit is (almost) only water, when the source says so",
         "(vrijwel) alleen water"),
        ("geometry", "geometry", "boundary of the unit (Parquet only)", "grens van het gebied"),
        ("dimension", "category", "dimension of segregation: a two-group dimension "
         "(social_housing, low_income, migration, origin_outside_europe) or a multigroup one "
         "(tenure, migration_background, origin); see mixing.dimensions",
         "dimensie (welke groep tegenover welk totaal)"),
        ("index", "category", "index name, as in the index reference", "naam van de index"),
        ("n_units", "integer", "units that entered the computation (inhabited, known counts)",
         "aantal meegetelde gebieden"),
        ("expected_under_null", "index", "mean of the index under random allocation of the "
         "group over the units (permutation null)", "verwachting bij toevallige spreiding"),
        ("ci_low", "index", "lower end of the 95 % bootstrap interval",
         "ondergrens 95 %-interval"),
        ("ci_high", "index", "upper end of the 95 % bootstrap interval",
         "bovengrens 95 %-interval"),
        ("variable", "category", "the share analysed: a two-group dimension name (its share "
         "per unit) or a bivariate pair x~y", "variabele (aandeel per gebied)"),
        ("scenario", "code", "scenario name from the scenarios file", "naam van het scenario"),
        ("type", "category", "scenario type (see the policy-lab page)", "soort scenario"),
        ("region", "code", "region name from the config's regions", "naam van de regio"),
        ("year_from", "year", "first year of the pair", "eerste jaar"),
        ("year_to", "year", "second year of the pair", "tweede jaar"),
        ("M", "nats", "mutual information index M (natural log)", "wederzijdse informatie M"),
        ("H", "index", "Theil's information theory index H = M / E", "informatie-index H"),
    ),
    **{name: Column(name, "count", _COUNT_EN[name], _COUNT_NL[name]) for name in _COUNT_EN},
}


@dataclass(frozen=True)
class Table:
    """One output table: its files, what a row is, its columns and their meanings."""

    name: str
    files: tuple[str, ...]
    en: str
    nl: str
    columns: tuple[str, ...]
    own: Mapping[str, Column] = field(default_factory=dict)

    def describe(self, column: str) -> Column:
        """The description of ``column`` (an actual name or a documented pattern)."""
        name = documented_name(self, column)
        if name is None:
            raise InputError(f"table {self.name!r} has no documented column {column!r}",
                             fix=f"add it to mixing.dictionary (columns: {list(self.columns)})")
        described = self.own.get(name) or COLUMNS.get(name)
        if described is None:
            raise InputError(f"column {column!r} of table {self.name!r} has no description",
                             fix="add it to mixing.dictionary.COLUMNS (or the table's own)")
        return described


def documented_name(table: Table, column: str) -> str | None:
    """The documented name (or pattern) of ``table`` that ``column`` matches, else None."""
    if column in table.columns:
        return column
    for name in table.columns:
        if "{" in name and _lookup(table, name).pattern.match(column):
            return name
    return None


def _lookup(table: Table, name: str) -> Column:
    return table.own.get(name) or COLUMNS.get(name) or Column(name, "text", "")


def _own(*specs: tuple[str, str, str, str]) -> Mapping[str, Column]:
    return MappingProxyType(_columns(*specs))


_VALUE_SHARE = ("value", "share", "share of the variable's group in the unit "
                "(group / total); NaN when unknown or the total is 0", "aandeel in het gebied")
_ASSUMPTIONS = tuple(
    (column, "ratio" if "concentration" in column else "share",
     f"assumption {column.removeprefix('assumption_')}: "
     f"{ASSUMPTION_SOURCES[column.removeprefix('assumption_')]}", "aanname (zie beleidslab)")
    for column in ASSUMPTION_COLUMNS
)
_BEFORE_AFTER = {
    "units_above_50": ("integer", "buurten with a social-housing share above 50 %",
                       "buurten met meer dan 50 % sociale huur"),
    "units_above_70": ("integer", "buurten with a social-housing share above 70 %",
                       "buurten met meer dan 70 % sociale huur"),
    "low_income_isolation": ("index", "isolation of low-income households (their own "
                             "exposure to each other)", "isolatie van lage inkomens"),
    "moran_i": ("index", "Moran's I of the dimension's share (queen weights)",
                "Moran's I van het aandeel"),
    "hh_clusters": ("integer", "buurten in a significant high-high LISA cluster (FDR)",
                    "buurten in een significant hoog-hoog cluster"),
}
_TENURE_NL = {"social": "sociale huur", "private_rent": "particuliere huur",
              "owner_occupied": "koop", "other": "eigendom onbekend"}

_SCENARIO_OWN = _own(
    ("level", "category", "spatial level of the scenario (always buurt)", "niveau (buurt)"),
    ("index", "category", "index compared before and after (dissimilarity, isolation)",
     "index"),
    ("baseline", "index", "index value before the scenario", "waarde voor het scenario"),
    ("baseline_ci_low", "index", "lower end of the 95 % bootstrap interval of baseline",
     "ondergrens 95 %-interval voor"),
    ("baseline_ci_high", "index", "upper end of the 95 % bootstrap interval of baseline",
     "bovengrens 95 %-interval voor"),
    ("scenario_value", "index", "index value after the scenario", "waarde na het scenario"),
    ("scenario_ci_low", "index", "lower end of the 95 % bootstrap interval of scenario_value",
     "ondergrens 95 %-interval na"),
    ("scenario_ci_high", "index", "upper end of the 95 % bootstrap interval of "
     "scenario_value", "bovengrens 95 %-interval na"),
    ("change", "index", "scenario_value - baseline (negative = less segregation for "
     "indices where higher means more segregated)", "verandering"),
    ("p_value_change", "p-value", "p-value of the change (paired-swap permutation test)",
     "p-waarde van de verandering"),
    ("dwellings_converted", "count", "social dwellings sold or let as another tenure",
     "omgezette sociale huurwoningen"),
    ("dwellings_demolished", "count", "dwellings demolished", "gesloopte woningen"),
    ("dwellings_built", "count", "dwellings built", "gebouwde woningen"),
    ("households_displaced", "count", "households that must leave because their dwelling is "
     "demolished", "huishoudens die moeten verhuizen"),
    ("households_rehoused", "count", "households housed in social vacancies elsewhere in the "
     "municipality", "elders herhuisveste huishoudens"),
    ("low_income_displaced", "count", "low-income households among the displaced",
     "verhuisde huishoudens met laag inkomen"),
    ("years_needed", "years", "years until done in the slowest buurt (sale at turnover, "
     "allocation); NaN when time is not part of the scenario", "benodigde jaren (traagste buurt)"),
    ("years_needed_mean", "years", "mean years until done over the buurten changed",
     "benodigde jaren (gemiddeld)"),
    ("shortfall", "count", "what the scenario could not do within its limits (dwellings not "
     "re-provided or built, households not rehoused)", "tekort"),
    ("units_changed", "integer", "buurten whose counts changed", "veranderde buurten"),
    *((f"{stem}_{when}", unit, f"{en}, {when} the scenario", f"{nl}, {dutch}")
      for stem, (unit, en, nl) in _BEFORE_AFTER.items()
      for when, dutch in (("before", "voor"), ("after", "na"))),
    ("efficiency_per_displaced_household", "index per household", "change / "
     "households_displaced; NaN when nobody is displaced", "effect per verhuisd huishouden"),
    ("efficiency_per_converted_dwelling", "index per dwelling", "change / (dwellings_converted "
     "+ dwellings_demolished); NaN when the denominator is 0", "effect per omgezette woning"),
    ("threshold_rule_value", "index", "target scenarios only: the value a simple threshold "
     "rule reaches with the same budget, for comparison", "waarde van de drempelregel"),
    ("model", "text", "what the numbers are: an accounting model, not a behavioural forecast",
     "soort model"),
    *_ASSUMPTIONS,
    ("notes", "text", "what the scenario could not do, or did differently, in words",
     "opmerkingen"),
)

_LOCAL_OWN = _own(
    ("index", "category", "local index name (location_quotient, dissimilarity_contribution, "
     "local_entropy, ...), as in the index reference", "naam van de lokale maat"),
    ("value", "index", "the local index of the unit", "waarde voor het gebied"),
)

_CLUSTER_LOCAL_OWN = _own(
    _VALUE_SHARE,
    ("lag", "share", "spatial lag: weighted mean share of the neighbours (row-standardised "
     "weights)", "gemiddeld aandeel van de buren"),
    ("quadrant", "category", "LISA quadrant: HH, LH, LL, HL, or isolated / undefined",
     "LISA-kwadrant"),
    ("p_value", "p-value", "pseudo p-value of the local Moran (conditional permutations)",
     "p-waarde (lokale Moran)"),
    ("significant", "boolean", "p_value <= alpha (plain rule)", "significant (zonder correctie)"),
    ("significant_fdr", "boolean", "significant after Benjamini-Hochberg FDR per municipality",
     "significant na FDR-correctie"),
    ("gi_z", "z-score", "Getis-Ord Gi* z-score", "Gi*-z-score"),
    ("gi_p_value", "p-value", "p-value of Gi*", "p-waarde van Gi*"),
    ("hotspot", "category", "Gi* hot / cold spot after FDR, else not significant",
     "hotspot / coldspot"),
    ("concentration_class", "category", "share class against the thresholds (>= 50 %, >= 70 %); "
     "unknown when the share is unknown", "concentratieklasse"),
    ("location_quotient", "ratio", "share of the unit / share of the municipality",
     "locatiequotiënt"),
    ("d_contribution", "index", "the unit's term of the dissimilarity index D",
     "bijdrage aan D"),
)

_AUTOCORRELATION_OWN = _own(
    ("statistic", "category", "moran_i, geary_c, bivariate_moran, moran_rate (Moran's I of "
     "empirical-Bayes rates), getis_ord_g (global G) or join_counts (black-black joins of "
     "buurten above 50 % social housing)", "statistiek"),
    ("value", "index", "value of the statistic", "waarde"),
    ("expected", "index", "expected value under no spatial autocorrelation",
     "verwachting zonder ruimtelijke samenhang"),
    ("z", "z-score", "z-score (analytical, under normality)", "z-score"),
    ("p_value", "p-value", "pseudo p-value by permutation", "p-waarde (permutaties)"),
    ("p_analytical", "p-value", "p-value under normality", "p-waarde (analytisch)"),
    ("permutations", "integer", "number of permutations", "aantal permutaties"),
    ("n_units", "integer", "units with a known share and a geometry", "aantal gebieden"),
    ("islands_joined", "integer", "units without a neighbour joined to their nearest unit",
     "eilanden verbonden met de dichtstbijzijnde buurt"),
)

_INDICES_OWN = _own(
    ("value", "index", "value of the index", "waarde van de index"),
    ("p_value", "p-value", "one-sided permutation p-value against random allocation, in the "
     "index's direction of segregation (NaN without inference)", "p-waarde"),
)

_TRENDS_OWN = _own(*(
    (name, column.unit, column.en, column.nl) for name, column in _INDICES_OWN.items()),
    ("se", "index", "bootstrap standard error", "standaardfout (bootstrap)"),
)

_SCALES_OWN = _own(
    ("index", "category", f"headline index ({', '.join(HEADLINE_INDICES)})", "index"),
    ("value_{scale}", "index", "index value at the scale (buurt, wijk, gemeente, grid500m, pc4)",
     "waarde op dit schaalniveau"),
    ("n_units_{scale}", "integer", "units at the scale", "aantal gebieden op dit niveau"),
    ("year_{scale}", "year", "data year at the scale", "jaar"),
    ("ratio_buurt_wijk", "ratio", "value_buurt / value_wijk (above 1: the finer zoning shows "
     "more segregation)", "verhouding buurt / wijk"),
    ("ratio_buurt_{grid}", "ratio", "value_buurt / value at the grid scale",
     "verhouding buurt / raster"),
)

_CHANGE_TESTS_OWN = _own(
    ("value_from", "index", "index in year_from", "waarde in het eerste jaar"),
    ("value_to", "index", "index in year_to", "waarde in het tweede jaar"),
    ("difference", "index", "value_to - value_from", "verschil"),
    ("p_value", "p-value", "two-sided paired-swap permutation test of the difference",
     "p-waarde van het verschil"),
)

_CHANGE_UNITS_OWN = _own(
    ("total_from", "count", "the dimension's total (e.g. dwellings) in year_from",
     "totaal in het eerste jaar"),
    ("total_to", "count", "the dimension's total in year_to", "totaal in het tweede jaar"),
    ("share_from", "share", "the group's share in year_from", "aandeel in het eerste jaar"),
    ("share_to", "share", "the group's share in year_to", "aandeel in het tweede jaar"),
    ("difference", "share", "share_to - share_from", "verschil in aandeel"),
)

_DECOMPOSITION_OWN = _own(
    ("groups", "category", "population groups of the decomposition (a multigroup dimension)",
     "groepen"),
    ("component", "category", "M_first, M_second, difference, group_marginal, unit_marginal, "
     "structural, additions, removals (Elbers 2023)", "component"),
    ("value", "nats", "the component's part of the change in M", "bijdrage aan de verandering"),
)

_HARMONISATION_OWN = _own(
    ("year", "year", "source year put on the target geometry", "bronjaar"),
    ("n_source_units", "integer", "units in the source year", "gebieden in het bronjaar"),
    ("n_by_code", "integer", "source units matched by code", "op code gekoppeld"),
    ("n_interpolated", "integer", "source units spread by areal interpolation",
     "via oppervlak verdeeld"),
    ("n_unallocated", "integer", "source units that overlap no target unit (counts lost)",
     "niet toegewezen"),
    ("n_target_units", "integer", "units of the target geometry", "doelgebieden"),
    ("n_targets_by_code", "integer", "target units filled by code", "doelgebieden via code"),
    ("n_targets_interpolated", "integer", "target units that received interpolated counts",
     "doelgebieden via oppervlak"),
    ("n_targets_absent", "integer", "target units that nothing reached", "doelgebieden zonder "
     "gegevens"),
)

_REGION_OWN = _own(
    ("index", "category", "multigroup index", "index"),
    ("value", "index", "index value for the whole region", "waarde voor de regio"),
    ("n_units", "integer", "buurten of the region in the computation", "aantal buurten"),
    ("n_municipalities", "integer", "municipalities in the region", "aantal gemeenten"),
    ("population", "count", "the dimension's total in the region", "totaal in de regio"),
)
_REGION_DECOMPOSITION_OWN = _own(
    ("component", "category", "between (municipalities differ), within (buurten differ inside "
     "municipalities) or total", "tussen / binnen / totaal"),
    ("share", "share", "the component's share of the total M", "aandeel in het totaal"),
)
_REGION_MUNICIPALITIES_OWN = _own(
    ("population", "count", "the dimension's total in the municipality", "totaal"),
    ("population_share", "share", "the municipality's share of the region's total",
     "aandeel in de regio"),
    ("entropy", "nats", "entropy of the municipality's own composition", "entropie"),
    ("M", "nats", "M of the municipality's buurten against its own composition",
     "M binnen de gemeente"),
    ("H", "index", "H of the municipality's buurten", "H binnen de gemeente"),
    ("contribution_M", "nats", "population_share x M: its part of the within term",
     "bijdrage aan M binnen"),
    ("contribution_H", "index", "its part of the within term of H", "bijdrage aan H binnen"),
    ("share_of_within", "share", "contribution_M / the region's within term",
     "aandeel in binnen-gemeente-segregatie"),
)

_SCENARIO_UNITS_OWN = _own(
    *((f"households_{t}", "count", f"households in {t.replace('_', '-')} dwellings (the lab's "
       "accounting split)", f"huishoudens in {_TENURE_NL[t]}") for t in _TENURE_NL),
    *((f"households_low_income_{t}", "count", f"low-income households in "
       f"{t.replace('_', '-')} dwellings (the lab's accounting split)",
       f"huishoudens met laag inkomen in {_TENURE_NL[t]}") for t in _TENURE_NL),
    ("scenario_converted", "count", "target scenarios only: dwellings the optimiser converted "
     "in the buurt", "door de optimalisatie omgezette woningen"),
)

_VITALITY_OWN = _own(
    ("liveability", "count", "liveability 1 (good) to 3 (worrying), from the user's file or "
     "its Leefbaarometer class", "leefbaarheid 1 (goed) tot 3 (zorgelijk)"),
    ("organising_capacity", "count", "organising capacity 1 (good) to 3 (worrying)",
     "organiserend vermogen 1 tot 3"),
    ("resilience", "count", "resilience 1 (good) to 3 (worrying)", "veerkracht 1 tot 3"),
    ("liveability_source", "category", "where liveability came from: the score, or the "
     "Leefbaarometer class it was mapped from", "herkomst van de leefbaarheid"),
    ("vitality_score", "count", "liveability x organising capacity x resilience, 1-27",
     "vitaliteitsscore 1-27"),
    ("closer_look", "boolean", "vitality score of 9 or more: the buurt gets a closer look",
     "score 9 of hoger: nader bekijken"),
    ("lisa_hh", "boolean", "in a high-high LISA cluster of the social-housing share "
     "(significant after FDR); empty without a local row", "in cluster hoog-hoog sociale huur"),
    ("closer_look_and_hh", "boolean", "closer look and inside a social-housing cluster",
     "nader bekijken en in cluster sociale huur"),
)

_INDEX_KEYS = ("municipality_code", "year", "level", "dimension", "index")

#: Every output table, by name.
TABLES: dict[str, Table] = {t.name: t for t in (
    Table("units", ("results/{municipality}/units.parquet",),
          "one row per unit and level: the canonical units table (GeoParquet, EPSG:28992)",
          "één rij per gebied en niveau: de kerncijfers in één vorm",
          tuple(CANONICAL_COLUMNS)),
    Table("indices", ("results/{municipality}/indices.csv", "results/{municipality}/"
                      "indices.parquet", "results/summary/indices.csv"),
          "one row per municipality x year x level x dimension x index",
          "één rij per gemeente, jaar, niveau, dimensie en index",
          tuple(frames.INDEX_COLUMNS), _INDICES_OWN),
    Table("local_indices", ("results/{municipality}/local_indices.csv",),
          "one row per unit x dimension x local index", "één rij per gebied, dimensie en maat",
          tuple(frames.LOCAL_COLUMNS), _LOCAL_OWN),
    Table("autocorrelation", ("results/{municipality}/autocorrelation.csv",
                              "results/summary/autocorrelation.csv"),
          "one row per municipality x variable x statistic (Moran's I, Geary's C, bivariate "
          "Moran)", "één rij per gemeente, variabele en statistiek",
          tuple(clusters.GLOBAL_COLUMNS), _AUTOCORRELATION_OWN),
    Table("local", ("results/{municipality}/local.csv", "results/{municipality}/local.parquet"),
          "one row per unit x variable: LISA, Gi*, concentration class",
          "één rij per gebied en variabele: LISA, Gi*, concentratie",
          tuple(clusters.LOCAL_COLUMNS), _CLUSTER_LOCAL_OWN),
    Table("vitality", ("results/{municipality}/vitality.csv",),
          "one row per screened buurt: a corporation's vitality screening crossed with the "
          "concentration of social housing (with `vitality:` in the config)",
          "één rij per gescreende buurt: vitaliteitsscan en concentratie sociale huur",
          tuple(vitality.OUTPUT_COLUMNS), _VITALITY_OWN),
    Table("scenarios", ("results/{municipality}/scenarios.csv", "results/{municipality}/"
                        "scenarios.parquet", "results/summary/scenarios.csv"),
          "one row per scenario x dimension x index: before/after, costs and every assumption",
          "één rij per scenario, dimensie en index: voor/na, kosten en aannames",
          tuple(SUMMARY_COLUMNS), _SCENARIO_OWN),
    Table("scenario_units", ("results/{municipality}/scenario_units/{scenario}.parquet",),
          "the units table after a scenario: canonical columns plus the lab's accounting",
          "de buurten na een scenario",
          tuple(CANONICAL_COLUMNS) + tuple(ACCOUNTING_COLUMNS) + ("scenario_converted",),
          _SCENARIO_UNITS_OWN),
    Table("scales", ("results/{municipality}/scales.csv",),
          "one row per municipality x dimension x headline index, one column group per scale",
          "één rij per gemeente, dimensie en index; kolommen per schaalniveau",
          ("municipality_code", "dimension", "index", "value_{scale}", "n_units_{scale}",
           "year_{scale}", "ratio_buurt_wijk", "ratio_buurt_{grid}"), _SCALES_OWN),
    Table("change_trends", ("results/{municipality}/change/trends.csv",),
          "the index table of every compared year, with a standard error",
          "de indextabel per jaar, met standaardfout",
          tuple(frames.INDEX_COLUMNS) + ("se",), _TRENDS_OWN),
    Table("change_tests", ("results/{municipality}/change/tests.csv",),
          "one row per pair of years x dimension x index: the difference and its test",
          "één rij per jarenpaar, dimensie en index: verschil en toets",
          ("municipality_code", "year_from", "year_to", "dimension", "index", "value_from",
           "value_to", "difference", "p_value", "n_units"), _CHANGE_TESTS_OWN),
    Table("change_units", ("results/{municipality}/change/units.csv",),
          "one row per unit x pair of years x dimension: the shares and their change",
          "één rij per gebied, jarenpaar en dimensie",
          ("unit_code", "unit_name", "municipality_code", "year_from", "year_to", "dimension",
           "total_from", "total_to", "share_from", "share_to", "difference"), _CHANGE_UNITS_OWN),
    Table("change_decomposition", ("results/{municipality}/change/decomposition.csv",),
          "why M changed between two years (Elbers 2023): one row per component",
          "waarom M veranderde: één rij per component",
          ("municipality_code", "year_from", "year_to", "groups", "component", "value"),
          _DECOMPOSITION_OWN),
    Table("change_harmonisation", ("results/{municipality}/change/harmonisation.csv",),
          "how each year was put on one geometry", "hoe elk jaar op één indeling is gebracht",
          ("year", "n_source_units", "n_by_code", "n_interpolated", "n_unallocated",
           "n_target_units", "n_targets_by_code", "n_targets_interpolated", "n_targets_absent"),
          _HARMONISATION_OWN),
    Table("regions", ("results/summary/regions.csv",),
          "one row per region x dimension x index", "één rij per regio, dimensie en index",
          ("region", "dimension", "index", "value", "n_units", "n_municipalities",
           "population"), _REGION_OWN),
    Table("regions_decomposition", ("results/summary/regions_decomposition.csv",),
          "M and H of each region split between and within municipalities",
          "M en H per regio: tussen en binnen gemeenten",
          ("region", "dimension", "component", "M", "H", "share"), _REGION_DECOMPOSITION_OWN),
    Table("regions_municipalities", ("results/summary/regions_municipalities.csv",),
          "each municipality's part of its region's within-municipality segregation",
          "het aandeel van elke gemeente in de segregatie binnen gemeenten",
          ("region", "dimension", "municipality_code", "population", "population_share",
           "entropy", "M", "H", "contribution_M", "contribution_H", "share_of_within"),
          _REGION_MUNICIPALITIES_OWN),
)}


def describe(table: str, column: str) -> Column:
    """The description of ``column`` in output table ``table`` (a :data:`TABLES` key)."""
    if table not in TABLES:
        raise InputError(f"unknown output table {table!r}", fix=f"use one of {sorted(TABLES)}")
    return TABLES[table].describe(column)
