"""The data dictionary: every column of every output table, with its unit and meaning.

Where the code declares a table's columns (:data:`mixing.schema.CANONICAL_COLUMNS`,
:data:`mixing.tables.frames.INDEX_COLUMNS`, :data:`mixing.scenarios.SUMMARY_COLUMNS`, ...),
:data:`TABLES` reads them from there, so a new column without a description fails
``tests/test_docs.py``. Tables whose columns are built at run time (scales, change, regions)
list them here, and the test compares the lists with what the code writes. A column that
means the same thing in several tables is described once (:data:`COLUMNS`); a table
overrides a description only where the column means something else there.

The descriptions themselves (units, shared and own columns, in English and Dutch) are data:
they live in ``dictionary.toml`` next to this module, one line per column. Descriptions made
from the code (the scenario assumptions, the before/after measures, the tenure split, the
headline indices) are built here.

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
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType

from mixing.catalogue import HEADLINE_INDICES
from mixing.dimensions import DIMENSIONS
from mixing.errors import InputError
from mixing.scenarios import ASSUMPTION_COLUMNS, ASSUMPTION_SOURCES, SUMMARY_COLUMNS
from mixing.scenarios.state import ACCOUNTING_COLUMNS
from mixing.scenarios.tables import CHANGE_COUNTS
from mixing.schema import CANONICAL_COLUMNS
from mixing.tables import caveats, clusters, frames, vitality

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

#: The words of the dictionary, next to this module: units, shared and own columns.
_WORDS = tomllib.loads(resources.files("mixing").joinpath("dictionary.toml")
                       .read_text(encoding="utf-8"))

#: Units of measurement: key -> (English, Dutch).
UNITS: dict[str, tuple[str, str]] = {k: (en, nl) for k, (en, nl) in _WORDS["units"].items()}

#: Placeholders in pattern names: name -> (regular expression, the values in words).
PATTERNS: dict[str, tuple[str, str]] = {
    "scale": (r"buurt|wijk|gemeente|pc4|pc6|grid[0-9]+m",
              "buurt, wijk, gemeente, pc4, pc6 or a grid such as grid500m"),
    "grid": (r"grid[0-9]+m", "a grid of the configured cell size, e.g. grid500m"),
    "pct": (r"[0-9]+", "a concentration threshold in per cent, e.g. 50"),
    "count": ("|".join(CHANGE_COUNTS), ", ".join(CHANGE_COUNTS)),
    "dimension": ("|".join(DIMENSIONS), ", ".join(DIMENSIONS)),
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


def _described(section: Mapping[str, Mapping[str, str]]) -> dict[str, Column]:
    """``{name: {unit, en, nl}}`` of dictionary.toml as Columns."""
    return {name: Column(name, **words) for name, words in section.items()}


#: Columns that mean the same in every table they appear in.
COLUMNS: dict[str, Column] = _described(_WORDS["columns"])


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


def _own(table: str, *generated: tuple[str, str, str, str]) -> Mapping[str, Column]:
    """The own columns of ``table`` in dictionary.toml, then those made from the code."""
    return MappingProxyType(_described(_WORDS["own"].get(table, {})) | _columns(*generated))


_ASSUMPTIONS = tuple(
    (column, "ratio" if "concentration" in column else "share",
     f"assumption {column.removeprefix('assumption_')}: "
     f"{ASSUMPTION_SOURCES[column.removeprefix('assumption_')]}", "aanname (zie beleidslab)")
    for column in ASSUMPTION_COLUMNS
)
_BEFORE_AFTER = tuple(
    (f"{stem}_{when}", words["unit"], f"{words['en']}, {when} the scenario",
     f"{words['nl']}, {dutch}")
    for stem, words in _WORDS["before_after"].items()
    for when, dutch in (("before", "voor"), ("after", "na"))
)
_TENURE_NL = {"social": "sociale huur", "private_rent": "particuliere huur",
              "owner_occupied": "koop", "other": "eigendom onbekend"}

_SCENARIO_OWN = _own("scenarios", *_BEFORE_AFTER, *_ASSUMPTIONS)
_INDICES_OWN = _own("indices")
_TRENDS_OWN = _own("change_trends", *(
    (name, column.unit, column.en, column.nl) for name, column in _INDICES_OWN.items()))
_SCALES_OWN = _own(
    "scales", ("index", "category", f"headline index ({', '.join(HEADLINE_INDICES)})", "index"))
_SCENARIO_UNITS_OWN = _own(
    "scenario_units",
    *((f"households_{t}", "count", f"households in {t.replace('_', '-')} dwellings (the lab's "
       "accounting split)", f"huishoudens in {_TENURE_NL[t]}") for t in _TENURE_NL),
    *((f"households_low_income_{t}", "count", f"low-income households in "
       f"{t.replace('_', '-')} dwellings (the lab's accounting split)",
       f"huishoudens met laag inkomen in {_TENURE_NL[t]}") for t in _TENURE_NL),
)


_INDEX_KEYS = ("municipality_code", "year", "level", "dimension", "index")

#: The summaries stack the municipalities' tables and say which run wrote each row.
_RUN = ("; in results/summary/ the first column, run, is the config hash of the run that "
        "wrote the row (results/runs/{run}.json)")

#: Every output table, by name.
TABLES: dict[str, Table] = {t.name: t for t in (
    Table("units", ("results/{municipality}/units.parquet",),
          "one row per unit and level: the canonical units table (GeoParquet, EPSG:28992)",
          "één rij per gebied en niveau: de kerncijfers in één vorm",
          tuple(CANONICAL_COLUMNS)),
    Table("indices", ("results/{municipality}/indices.csv", "results/{municipality}/"
                      "indices.parquet", "results/summary/indices.csv"),
          "one row per municipality x year x level x dimension x index" + _RUN,
          "één rij per gemeente, jaar, niveau, dimensie en index",
          tuple(frames.INDEX_COLUMNS), _INDICES_OWN),
    Table("caveats", ("results/{municipality}/caveats.csv",),
          "one row per caveat of a municipality's data (hidden values per column, lower-bound "
          "sums, units without a name or boundary, repaired boundaries): the pages' 'Let op'",
          "één rij per kanttekening bij de gegevens van een gemeente (de 'Let op' op de "
          "pagina's)", tuple(caveats.CAVEAT_COLUMNS), _own("caveats")),
    Table("local_indices", ("results/{municipality}/local_indices.csv",),
          "one row per unit x dimension x local index", "één rij per gebied, dimensie en maat",
          tuple(frames.LOCAL_COLUMNS), _own("local_indices")),
    Table("autocorrelation", ("results/{municipality}/autocorrelation.csv",
                              "results/summary/autocorrelation.csv"),
          "one row per municipality x variable x statistic (Moran's I, Geary's C, bivariate "
          "Moran)" + _RUN, "één rij per gemeente, variabele en statistiek",
          tuple(clusters.GLOBAL_COLUMNS), _own("autocorrelation")),
    Table("local", ("results/{municipality}/local.csv", "results/{municipality}/local.parquet"),
          "one row per unit x variable: LISA, Gi*, concentration class",
          "één rij per gebied en variabele: LISA, Gi*, concentratie",
          tuple(clusters.LOCAL_COLUMNS), _own("local")),
    Table("vitality", ("results/{municipality}/vitality.csv",),
          "one row per screened buurt: a corporation's vitality screening crossed with the "
          "concentration of social housing (with `vitality:` in the config)",
          "één rij per gescreende buurt: vitaliteitsscan en concentratie sociale huur",
          tuple(vitality.OUTPUT_COLUMNS), _own("vitality")),
    Table("scenarios", ("results/{municipality}/scenarios.csv", "results/{municipality}/"
                        "scenarios.parquet", "results/summary/scenarios.csv"),
          "one row per scenario x dimension x index: before/after, costs and every assumption"
          + _RUN,
          "één rij per scenario, dimensie en index: voor/na, kosten en aannames",
          tuple(dict.fromkeys(re.sub(r"^units_above_[0-9]+_", "units_above_{pct}_", c)
                              for c in SUMMARY_COLUMNS)), _SCENARIO_OWN),
    Table("scenario_changes", ("results/{municipality}/scenario_changes.csv",),
          "one row per scenario x buurt: counts, shares and contributions to D before and "
          "after (what the scenario page and the map's scenario layers show)",
          "één rij per scenario en buurt: aantallen, aandelen en bijdrage aan D voor en na",
          ("scenario", "unit_code", "unit_name", "{count}_before", "{count}_after",
           "social_housing_before", "social_housing_after", "changed",
           "share_{dimension}_before", "share_{dimension}_after", "share_{dimension}_change",
           "d_contribution_{dimension}_before", "d_contribution_{dimension}_after",
           "d_contribution_{dimension}_change"), _own("scenario_changes")),
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
           "value_to", "difference", "p_value", "n_units"), _own("change_tests")),
    Table("change_units", ("results/{municipality}/change/units.csv",),
          "one row per unit x pair of years x dimension: the shares and their change",
          "één rij per gebied, jarenpaar en dimensie",
          ("unit_code", "unit_name", "municipality_code", "year_from", "year_to", "dimension",
           "total_from", "total_to", "share_from", "share_to", "difference"), _own("change_units")),
    Table("change_decomposition", ("results/{municipality}/change/decomposition.csv",),
          "why M changed between two years (Elbers 2023): one row per component",
          "waarom M veranderde: één rij per component",
          ("municipality_code", "year_from", "year_to", "groups", "component", "value"),
          _own("change_decomposition")),
    Table("change_harmonisation", ("results/{municipality}/change/harmonisation.csv",),
          "how each year was put on one geometry", "hoe elk jaar op één indeling is gebracht",
          ("year", "n_source_units", "n_by_code", "n_interpolated", "n_unallocated",
           "n_target_units", "n_targets_by_code", "n_targets_interpolated", "n_targets_absent"),
          _own("change_harmonisation")),
    Table("regions", ("results/summary/regions.csv",),
          "one row per region x dimension x index", "één rij per regio, dimensie en index",
          ("region", "dimension", "index", "value", "n_units", "n_municipalities",
           "population"), _own("regions")),
    Table("regions_decomposition", ("results/summary/regions_decomposition.csv",),
          "M and H of each region split between and within municipalities",
          "M en H per regio: tussen en binnen gemeenten",
          ("region", "dimension", "component", "M", "H", "share"), _own("regions_decomposition")),
    Table("regions_municipalities", ("results/summary/regions_municipalities.csv",),
          "each municipality's part of its region's within-municipality segregation",
          "het aandeel van elke gemeente in de segregatie binnen gemeenten",
          ("region", "dimension", "municipality_code", "population", "population_share",
           "entropy", "M", "H", "contribution_M", "contribution_H", "share_of_within"),
          _own("regions_municipalities")),
)}


def describe(table: str, column: str) -> Column:
    """The description of ``column`` in output table ``table`` (a :data:`TABLES` key)."""
    if table not in TABLES:
        raise InputError(f"unknown output table {table!r}", fix=f"use one of {sorted(TABLES)}")
    return TABLES[table].describe(column)
