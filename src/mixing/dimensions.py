"""The dimensions of segregation, declared once: which counts are compared, and their labels.

A *two-group* dimension compares a group with its total per unit (social dwellings out of
all dwellings); its share per unit (``group / total``) is reported under the dimension's own
name in every table, map and figure (``social_housing``, never ``social_share``). A
*multigroup* dimension splits a total into several groups (dwellings by tenure).

Every other module reads the dimensions from here: the index tables
(:mod:`mixing.tables.frames`), the autocorrelation tables (:mod:`mixing.tables.clusters`),
regions, the scenario optimiser and the maps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixing.checks import quiet
from mixing.errors import InputError

__all__ = [
    "Label",
    "Dimension",
    "MultiDimension",
    "DIMENSIONS",
    "MULTI_DIMENSIONS",
    "BIVARIATE",
    "dimension",
    "multi_dimension",
    "present",
    "share",
    "group_counts",
]


@dataclass(frozen=True)
class Label:
    """A text in Dutch and English; ``label(language)`` picks one."""

    nl: str
    en: str

    def __call__(self, language: str = "nl") -> str:
        """The text in ``language`` (``"en"``; anything else gives Dutch)."""
        return self.en if language == "en" else self.nl


@dataclass(frozen=True)
class Dimension:
    """A two-group comparison: ``group`` counts out of ``total`` counts, per unit.

    ``title`` names the share on a map ("Sociale huur"), ``group_noun`` the group in a
    sentence ("sociale huur"), ``total_noun`` what is counted ("woningen") and ``legend``
    the share's legend title.
    """

    name: str
    group: str
    total: str
    title: Label
    group_noun: Label
    total_noun: Label
    legend: Label


@dataclass(frozen=True)
class MultiDimension:
    """Several groups per unit; ``rest_of`` adds a group "total minus the listed columns"."""

    name: str
    columns: tuple[str, ...]
    rest_of: str | None
    title: Label


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("social_housing", "dwellings_social", "dwellings",
                  Label("Sociale huur", "Social housing"),
                  Label("sociale huur", "social housing"),
                  Label("woningen", "dwellings"),
                  Label("Sociale huur: % woningen van corporaties",
                        "Social housing: % dwellings owned by housing corporations")),
        Dimension("low_income", "households_low_income", "households",
                  Label("Lage inkomens", "Low incomes"),
                  Label("lage inkomens", "low incomes"),
                  Label("huishoudens", "households"),
                  Label("Huishoudens met een laag inkomen, %", "Households with a low income, %")),
        Dimension("migration", "population_migration_nonwestern", "population",
                  Label("Niet-westerse migratieachtergrond", "Non-western migration background"),
                  Label("niet-westerse migratieachtergrond", "non-western migration background"),
                  Label("inwoners", "residents"),
                  Label("Inwoners met een niet-westerse migratieachtergrond, %",
                        "Residents with a non-western migration background, %")),
        Dimension("origin_outside_europe", "population_origin_outside_europe", "population",
                  Label("Herkomst buiten Europa", "Origin outside Europe"),
                  Label("herkomst buiten Europa", "origin outside Europe"),
                  Label("inwoners", "residents"),
                  Label("Inwoners met herkomst buiten Europa, %",
                        "Residents with origin outside Europe, %")),
        # CBS PC4 statistics: persons with a benefit (bijstand, WW, arbeidsongeschiktheid)
        # below the AOW age, out of all residents; the table's vulnerability measure where
        # it has no income.
        Dimension("benefits", "population_benefits", "population",
                  Label("Uitkeringen", "Benefits"),
                  Label("uitkeringsontvangers", "benefit recipients"),
                  Label("inwoners", "residents"),
                  Label("Personen met een uitkering (onder AOW-leeftijd), % inwoners",
                        "Benefit recipients (below pension age), % of residents")),
    )
}

MULTI_DIMENSIONS: dict[str, MultiDimension] = {
    d.name: d
    for d in (
        MultiDimension("tenure", ("dwellings_social", "dwellings_private_rent",
                                  "dwellings_owner_occupied"), None,
                       Label("Woningen naar eigendom: sociale huur / particuliere huur / koop",
                             "Dwellings by tenure: social rent / private rent / owner-occupied")),
        MultiDimension("migration_background", ("population_migration_western",
                                                "population_migration_nonwestern"),
                       "population",
                       Label("Inwoners: westerse / niet-westerse / geen migratieachtergrond",
                             "Residents: western / non-western / no migration background")),
        MultiDimension("origin", ("population_origin_dutch", "population_origin_europe",
                                  "population_origin_outside_europe"), None,
                       Label("Inwoners naar herkomst (CBS 2022+): Nederland / Europa / "
                             "buiten Europa", "Residents by origin (CBS 2022+): the "
                             "Netherlands / Europe / outside Europe")),
    )
}

#: Pairs for bivariate Moran / LISA: is the first concentrated where the second is high?
BIVARIATE = (("social_housing", "low_income"), ("social_housing", "migration"),
             ("social_housing", "origin_outside_europe"), ("social_housing", "benefits"))


def _lookup(table: dict, name: str, kind: str):
    try:
        return table[name]
    except KeyError:
        raise InputError(f"unknown {kind} dimension {name!r}",
                         fix=f"use one of {sorted(table)}") from None


def dimension(name: str) -> Dimension:
    """The two-group dimension called ``name``; an error lists the valid names."""
    return _lookup(DIMENSIONS, name, "two-group")


def multi_dimension(name: str) -> MultiDimension:
    """The multigroup dimension called ``name``; an error lists the valid names."""
    return _lookup(MULTI_DIMENSIONS, name, "multigroup")


def present(units: pd.DataFrame) -> tuple[str, ...]:
    """The dimensions (two-group first) whose columns have at least one known value."""
    def known(columns):
        return all(c in units and units[c].notna().any() for c in columns)
    return tuple([n for n, d in DIMENSIONS.items() if known((d.group, d.total))]
                 + [n for n, d in MULTI_DIMENSIONS.items() if known(d.columns)])


def share(units: pd.DataFrame, name: str) -> np.ndarray:
    """``group / total`` of a two-group dimension per unit; NaN when unknown or total is 0."""
    dim = dimension(name)
    group = units[dim.group].to_numpy(dtype="float64")
    total = units[dim.total].to_numpy(dtype="float64")
    with quiet():
        return np.where(total > 0, group / total, np.nan)


def group_counts(units: pd.DataFrame, name: str) -> np.ndarray:
    """Counts per unit and group of a multigroup dimension, ``(units, k)``.

    With ``rest_of`` the last group is that total minus the listed groups, clipped at 0
    (CBS rounds each count on its own, so the difference can dip below 0).
    """
    dim = multi_dimension(name)
    counts = units[list(dim.columns)].to_numpy(dtype="float64")
    if dim.rest_of is not None:
        rest = units[dim.rest_of].to_numpy(dtype="float64") - counts.sum(axis=1)
        counts = np.column_stack([counts, np.clip(rest, 0, None)])
    return counts
