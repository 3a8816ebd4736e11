"""Explicit assumptions of the policy lab: everything CBS does not publish per buurt.

The policy lab is an **accounting model** ("what if the stock or the allocation were
different"), not a behavioural forecast: nobody moves because of a price, a preference or
a school. Where the data lack a number -- how many households live in a dwelling of a
tenure, who moves into a new dwelling, how low-income households split over the tenures
inside a buurt, how fast social housing turns over -- the number is a parameter here, with
a documented default and its source. Every value is copied onto every row of the scenario
tables (:data:`ASSUMPTION_COLUMNS`), so a number is never read without its assumptions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

__all__ = [
    "MODEL_NOTE",
    "TENURES",
    "REBUILD_MIX",
    "Assumptions",
    "ASSUMPTION_SOURCES",
    "ASSUMPTION_COLUMNS",
]

#: Written into every table (column ``model``) and into the config header.
MODEL_NOTE = "accounting model of a different stock or allocation, not a behavioural forecast"

#: Tenures the lab keeps apart; ``other`` is CBS's "eigendom onbekend" (dwellings minus
#: the three known tenures, never below 0).
TENURES = ("social", "private_rent", "owner_occupied", "other")
#: Tenure mix of what is built after demolition, unless a scenario gives its own.
REBUILD_MIX = {"social": 0.3, "private_rent": 0.3, "owner_occupied": 0.4}


def _share(default: float, *, zero_allowed: bool = True):
    """A field of :class:`Assumptions` holding a share: its default and range, [0, 1] or (0, 1]."""
    return field(default=default, metadata={"low": 0, "high": 1, "low_open": not zero_allowed})


@dataclass(frozen=True)
class Assumptions:
    r"""Numbers the data lack, with defaults and sources (see :data:`ASSUMPTION_SOURCES`).

    Parameters
    ----------
    occupancy_social, occupancy_private_rent, occupancy_owner_occupied : float
        Households per dwelling of a tenure, for dwellings that are demolished or built
        (0.95-0.97: CBS vacancy is about 3-5 % of the stock; corporations let faster than
        private landlords). Existing dwellings keep the buurt's observed households.
    low_income_new_social, low_income_new_private_rent, low_income_new_owner_occupied : float
        Share of low-income households among *new* occupants of a tenure. Social 0.5:
        RIGO ("Veerkracht in het corporatiebezit") finds about half of new social tenants
        at welfare level. Private rent 0.15 and owner-occupied 0.05 are the
        lab's assumptions (order of the CBS low-income shares of these tenures), not data.
    low_income_concentration : float
        How much more often a social-rent household in a buurt is low-income than a
        household in another tenure of the same buurt (a rate ratio, >= 1). Default 4:
        an assumption that puts roughly two thirds of low-income households in corporation
        housing at a 30 % social share, the order reported by national housing surveys
        (WoON); check it against local survey data before citing results.
    turnover_social : float
        Share of social dwellings that fall vacant per year. Default 0.075 (7-8 % is the
        usual Dutch corporation figure; an assumption, it varies by city and over time).

    Notes
    -----
    Low-income households of buurt :math:`i` are split over tenures with rates
    :math:`r_{social} = \kappa r`, :math:`r_{other\ tenures} = r` such that the rates times
    the households per tenure add up to the observed low-income count; a rate above 1 is
    capped and the rest is given to the other tenures.

    Each field declares its allowed range with its default (metadata ``low``, ``high``,
    ``low_open``); the scenario checks and the JSON Schema read it from there
    (:func:`mixing.scenarios.types.assumption_param`).
    """

    occupancy_social: float = _share(0.97, zero_allowed=False)
    occupancy_private_rent: float = _share(0.95, zero_allowed=False)
    occupancy_owner_occupied: float = _share(0.97, zero_allowed=False)
    low_income_new_social: float = _share(0.5)
    low_income_new_private_rent: float = _share(0.15)
    low_income_new_owner_occupied: float = _share(0.05)
    low_income_concentration: float = field(default=4.0, metadata={"low": 1, "high": 100})
    turnover_social: float = _share(0.075, zero_allowed=False)

    def occupancy(self, tenure: str) -> float:
        """Households per new or removed dwelling of ``tenure`` (``other``: the mean)."""
        if tenure == "other":
            return (
                self.occupancy_social + self.occupancy_private_rent + self.occupancy_owner_occupied
            ) / 3.0
        return float(getattr(self, f"occupancy_{tenure}"))

    def low_income_new(self, tenure: str) -> float:
        """Low-income share among new occupants of ``tenure`` (``other``: private rent)."""
        if tenure == "other":
            tenure = "private_rent"
        return float(getattr(self, f"low_income_new_{tenure}"))

    def with_overrides(self, overrides: dict | None) -> Assumptions:
        """A copy with some fields replaced (keys must be field names)."""
        return replace(self, **(overrides or {}))

    def as_columns(self) -> dict[str, float]:
        """``{column: value}`` for the tables (column = ``assumption_`` + field)."""
        return {f"assumption_{k}": v for k, v in asdict(self).items()}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The names of the assumptions, in declaration order."""
        return tuple(f.name for f in fields(cls))


ASSUMPTION_SOURCES = {
    "occupancy_social": "CBS vacancy (leegstand) about 3-5 % of the stock; assumption 0.97",
    "occupancy_private_rent": "CBS vacancy about 3-5 %, higher in private rent; assumption 0.95",
    "occupancy_owner_occupied": "CBS vacancy about 3-5 %; assumption 0.97",
    "low_income_new_social": "RIGO, Veerkracht in het corporatiebezit: about half of new "
    "social tenants at welfare level",
    "low_income_new_private_rent": "assumption of the lab (no source per buurt)",
    "low_income_new_owner_occupied": "assumption of the lab (no source per buurt)",
    "low_income_concentration": "assumption of the lab; order of WoON tenure-by-income tables",
    "turnover_social": "assumption: 7-8 % a year is the usual Dutch corporation turnover",
}

ASSUMPTION_COLUMNS = tuple(f"assumption_{name}" for name in Assumptions.field_names())
