"""Scenario transforms: one municipality's units table in, a new table and its costs out.

Every transform is a pure function, vectorised over buurten, of the canonical units table
of ONE municipality (buurt level). It is an **accounting model**: it asks what the
composition would be if the stock or the allocation were different, holding everything
else fixed; it does not forecast behaviour. The numbers the data lack are explicit
:class:`~mixing.scenarios.assumptions.Assumptions`.

The Dutch policies they model:

* :func:`differentiate` -- herstructurering: sell social dwellings at turnover, or demolish
  and rebuild a mix (policy 1; PBL 2010 on sales in old neighbourhoods).
* :func:`spread` -- cap the social share per buurt and re-provide the excess elsewhere
  (policy 2, the Den Haag developer-corporation covenant).
* :func:`add_social` -- build social dwellings in expensive / low-share buurten (policy 3).
* :func:`allocation` -- passend toewijzen / "magische mix" / Rotterdamwet (policy 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np

from mixing.checks import quiet
from mixing.docstrings import shared_parameters
from mixing.errors import InputError
from mixing.scenarios.assumptions import REBUILD_MIX, TENURES, Assumptions
from mixing.scenarios.state import S, State, fill_limited, split_state, write_state

__all__ = [
    "ScenarioCosts",
    "ScenarioResult",
    "differentiate",
    "spread",
    "add_social",
    "allocation",
    "convert_social",
    "demolish_rebuild",
    "years_at_turnover",
]

_NEW_TENURE = {"owner_occupied": 2, "private_rent": 1}


@dataclass(frozen=True)
class ScenarioCosts:
    """What a scenario costs and whom it moves (sums over the municipality).

    Attributes
    ----------
    dwellings_converted : float
        Social dwellings sold or let as another tenure (no demolition).
    dwellings_demolished, dwellings_built : float
    households_displaced : float
        Households that must leave because their dwelling is demolished.
    households_rehoused : float
        Households housed in social vacancies elsewhere in the municipality (displaced
        tenants, or low-income applicants redirected by an allocation rule).
    low_income_displaced : float
        Low-income households among the displaced.
    years_needed, years_needed_mean : float
        Sale at turnover / allocation: years until done, worst buurt and mean over the
        buurten changed. NaN when time is not part of the scenario.
    households_not_rehoused : float
        Households the scenario had to move but could not house within its limits
        (displaced tenants without a social vacancy elsewhere; low-income applicants an
        allocation rule could not redirect); never silently lost.
    dwellings_not_placed : float
        Dwellings the scenario could not place within its limits (excess social housing
        not re-provided, new social homes without room, budget of the optimiser unused).
    units_changed : int
        Buurten whose counts changed.
    notes : tuple of str
    """

    dwellings_converted: float = 0.0
    dwellings_demolished: float = 0.0
    dwellings_built: float = 0.0
    households_displaced: float = 0.0
    households_rehoused: float = 0.0
    low_income_displaced: float = 0.0
    years_needed: float = np.nan
    years_needed_mean: float = np.nan
    households_not_rehoused: float = 0.0
    dwellings_not_placed: float = 0.0
    units_changed: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def shortfall(self) -> float:
        """Everything not done within the limits (households + dwellings; one type only
        ever counts one of them)."""
        return self.households_not_rehoused + self.dwellings_not_placed

    def plus(self, other: ScenarioCosts) -> ScenarioCosts:
        """Costs of two steps in sequence (sums; years: the longer step)."""

        def nanmax(a, b):
            return float(np.nanmax([a, b])) if not (np.isnan(a) and np.isnan(b)) else np.nan

        return ScenarioCosts(
            self.dwellings_converted + other.dwellings_converted,
            self.dwellings_demolished + other.dwellings_demolished,
            self.dwellings_built + other.dwellings_built,
            self.households_displaced + other.households_displaced,
            self.households_rehoused + other.households_rehoused,
            self.low_income_displaced + other.low_income_displaced,
            nanmax(self.years_needed, other.years_needed),
            nanmax(self.years_needed_mean, other.years_needed_mean),
            self.households_not_rehoused + other.households_not_rehoused,
            self.dwellings_not_placed + other.dwellings_not_placed,
            self.units_changed + other.units_changed,
            self.notes + other.notes,
        )


@dataclass(frozen=True)
class ScenarioResult:
    """A transformed units table, what it cost, and type-specific extra columns."""

    units: gpd.GeoDataFrame
    costs: ScenarioCosts
    extra: dict = field(default_factory=dict)


def years_at_turnover(converted: np.ndarray, social: np.ndarray, turnover: float
                      ) -> tuple[float, float]:
    r"""Years of turnover to convert ``converted`` of ``social`` dwellings: (worst, mean).

    Per buurt :math:`y_i = c_i / (\tau S_i)`: a dwelling is sold when its tenant leaves,
    and a share :math:`\tau` (``turnover_social``) of the social stock falls vacant a year.
    Over the buurten with a conversion; (0, 0) when nothing is converted.
    """
    changed = converted > 1e-9
    if not changed.any():
        return 0.0, 0.0
    years = converted[changed] / (turnover * social[changed])
    return float(years.max()), float(years.mean())


def convert_social(state: State, amount: np.ndarray, to: str, a: Assumptions) -> State:
    """Sell (or let) ``amount`` social dwellings per buurt as tenure ``to`` at turnover.

    The dwelling keeps its households per dwelling; its new occupants are low-income
    with the share ``low_income_new_<to>``; the leaving tenants would have moved anyway
    (turnover), so nobody is displaced.
    """
    new = state.copy()
    k = _NEW_TENURE[to]
    d_s = state.D[:, S]
    with quiet():
        h = np.where(d_s > 0, state.H[:, S] / d_s, 0.0)
        l_per = np.where(d_s > 0, state.L[:, S] / d_s, 0.0)
    new.D[:, S] -= amount
    new.D[:, k] += amount
    new.H[:, S] -= amount * h
    new.H[:, k] += amount * h
    new.L[:, S] -= amount * l_per
    new.L[:, k] += amount * h * a.low_income_new(to)
    return new


def _build(state: State, built: np.ndarray, a: Assumptions) -> None:
    """Add ``built`` (n, 4) dwellings with new occupants, in place."""
    occ = np.array([a.occupancy(t) for t in TENURES])
    low = np.array([a.low_income_new(t) for t in TENURES])
    state.D += built
    state.H += built * occ
    state.L += np.where(state.income_known[:, None], built * occ * low, 0.0)


def _rehouse(
    state: State, households: float, low_income: float, senders: np.ndarray, a: Assumptions
) -> tuple[float, float]:
    """House displaced households in social vacancies of other buurten, in place.

    Vacancy-chain accounting: a rehoused household takes a social vacancy instead of the
    applicant who would have got it (low-income with ``low_income_new_social``), so the
    receiving buurt keeps its households and its low-income count changes by the
    difference. Receivers: known buurten not sending, in proportion to their social stock,
    at most one year of their social vacancies (``turnover_social``). Returns
    (rehoused, shortfall).
    """
    ok = state.tenure_known & state.income_known & ~senders & (state.D[:, S] > 0)
    weights = np.where(ok, state.D[:, S], 0.0)
    limits = (
        weights
        * a.turnover_social
        * np.where(
            state.D[:, S] > 0, state.H[:, S] / np.where(state.D[:, S] > 0, state.D[:, S], 1), 0
        )
    )
    got = fill_limited(households, weights, limits)
    rehoused = float(got.sum())
    if households > 0 and rehoused > 0:
        share = low_income / households
        delta = got * (share - a.low_income_new_social)
        state.L[:, S] = np.clip(state.L[:, S] + delta, 0.0, state.H[:, S])
    return rehoused, households - rehoused


def _eligible(state: State, units: gpd.GeoDataFrame, codes) -> np.ndarray:
    ok = state.tenure_known & (state.D[:, :3].sum(axis=1) > 0)
    if codes:
        # As for new_district's near: a code that is not a unit would make a scenario that
        # silently changes nothing there.
        missing = sorted(set(map(str, codes)) - set(units["unit_code"].astype(str)))
        if missing:
            raise InputError(
                f"restrict_to names unknown unit codes {missing}",
                fix="use unit_code values of this municipality (e.g. "
                f"{units['unit_code'].astype(str).iloc[0]})")
        ok &= units["unit_code"].isin(list(codes)).to_numpy()
    return ok


@shared_parameters
def differentiate(
    units,
    *,
    threshold=0.7,
    target=0.5,
    method="sale",
    convert_to="owner_occupied",
    rebuild_ratio=1.0,
    rebuild_mix=None,
    displaced_low_income_share=None,
    rehouse=True,
    restrict_to=None,
    assumptions=None,
) -> ScenarioResult:
    """Herstructurering: bring buurten with social share > ``threshold`` down to ``target``.

    Parameters
    ----------
    {SCENARIO_UNITS}
    threshold, target : float
        Buurten with social share above ``threshold`` (share of all dwellings) end at
        ``target`` (``target <= threshold``).
    method : {"sale", "demolish_rebuild"}
        ``sale``: social dwellings are sold (``convert_to``) as tenants leave at turnover;
        nobody is displaced; ``years`` per buurt = converted / (turnover x social
        dwellings). ``demolish_rebuild``: social dwellings are demolished,
        ``rebuild_ratio`` x demolished are rebuilt with ``rebuild_mix``; the occupied
        demolished dwellings displace ``demolished x occupancy_social`` households.
    convert_to : {"owner_occupied", "private_rent"}
    rebuild_ratio : float
    rebuild_mix : dict, optional
        ``{social, private_rent, owner_occupied}`` shares of the rebuilt dwellings
        (sum 1). Default 0.3 / 0.3 / 0.4.
    displaced_low_income_share : float, optional
        Share of low-income households among the displaced; default (None): the buurt's
        social tenants' share (from the split assumption).
    rehouse : bool
        Rehouse the displaced in social vacancies elsewhere (vacancy chain).
    restrict_to : list of str, optional
        Only these unit codes (the designated restructuring areas).
    assumptions : Assumptions, optional

    Returns
    -------
    ScenarioResult

    Notes
    -----
    Differentiating the stock in restructuring areas. With demolition the share after is
    :math:`(S - c + r c m_s) / (D - c + r c)`; setting it to the target gives
    :math:`c = (S - t D) / (1 - t + r (t - m_s))`, capped at :math:`S`. Local statistics
    improve "mostly because different people live there": the displaced households, and
    their low-income share, are reported as costs.
    """
    a = assumptions or Assumptions()
    mix = dict(rebuild_mix or REBUILD_MIX)
    before = split_state(units, a)
    D_all = before.D.sum(axis=1)
    with quiet():
        share = np.where(D_all > 0, before.D[:, S] / D_all, 0.0)
    chosen = _eligible(before, units, restrict_to) & (share > threshold)
    if method == "sale":
        c = np.where(chosen, np.maximum(before.D[:, S] - target * D_all, 0.0), 0.0)
        after = convert_social(before, c, convert_to, a)
        years = years_at_turnover(c, before.D[:, S], a.turnover_social)
        costs = ScenarioCosts(
            dwellings_converted=float(c.sum()),
            years_needed=years[0],
            years_needed_mean=years[1],
            units_changed=int((c > 0).sum()),
        )
        return ScenarioResult(write_state(units, before, after), costs)

    r, m_s = float(rebuild_ratio), float(mix.get("social", 0.0))
    denom = 1.0 - target + r * (target - m_s)
    c = np.where(chosen, np.maximum(before.D[:, S] - target * D_all, 0.0) / denom, 0.0)
    after, costs = demolish_rebuild(
        before,
        c,
        rebuild_ratio=r,
        rebuild_mix=mix,
        displaced_low_income_share=displaced_low_income_share,
        rehouse=rehouse,
        assumptions=a,
    )
    return ScenarioResult(write_state(units, before, after), costs)


def demolish_rebuild(
    before: State,
    amount: np.ndarray,
    *,
    rebuild_ratio=1.0,
    rebuild_mix=None,
    displaced_low_income_share=None,
    rehouse=True,
    assumptions=None,
) -> tuple[State, ScenarioCosts]:
    """Demolish ``amount`` social dwellings per buurt and rebuild a mix (state level).

    Displaced households = demolished x ``occupancy_social`` (at most the social
    households); their low-income share is ``displaced_low_income_share`` or, if None,
    the buurt's social tenants' share. Rebuilt dwellings get new occupants
    (``occupancy_<tenure>``, ``low_income_new_<tenure>``). With ``rehouse`` the displaced
    take social vacancies elsewhere (vacancy chain, see :func:`_rehouse`).
    """
    a = assumptions or Assumptions()
    mix = dict(rebuild_mix or REBUILD_MIX)
    r = float(rebuild_ratio)
    c = np.minimum(np.maximum(amount, 0.0), before.D[:, S])
    after = before.copy()
    displaced = np.minimum(c * a.occupancy_social, before.H[:, S])
    with quiet():
        own_share = np.where(before.H[:, S] > 0, before.L[:, S] / before.H[:, S], 0.0)
    low_share = own_share if displaced_low_income_share is None else displaced_low_income_share
    low = np.minimum(displaced * low_share, before.L[:, S])
    low = np.where(before.income_known, low, 0.0)
    after.D[:, S] -= c
    after.H[:, S] -= displaced
    after.L[:, S] -= low
    built = np.zeros_like(before.D)
    for k, tenure in enumerate(TENURES[:3]):
        built[:, k] = r * c * float(mix.get(tenure, 0.0))
    _build(after, built, a)
    rehoused, shortfall = (0.0, 0.0)
    if rehouse:
        rehoused, shortfall = _rehouse(after, float(displaced.sum()), float(low.sum()), c > 0, a)
    costs = ScenarioCosts(
        dwellings_demolished=float(c.sum()),
        dwellings_built=float(built.sum()),
        households_displaced=float(displaced.sum()),
        households_rehoused=rehoused,
        low_income_displaced=float(low.sum()),
        households_not_rehoused=shortfall,
        units_changed=int((c > 0).sum()),
        notes=("years depend on the building project and are not modelled",),
    )
    return after, costs


@shared_parameters
def spread(
    units, *, cap=0.5, capacity=0.1, convert_to="owner_occupied", assumptions=None
) -> ScenarioResult:
    r"""Spreiden: cap the social share per buurt; re-provide the excess elsewhere.

    Parameters
    ----------
    {SCENARIO_UNITS}
    cap : float
        Highest social share a buurt may keep, in (0, 1].
    capacity : float
        Per receiving buurt, the most dwellings that can be added as a share of its stock.
    convert_to : {"owner_occupied", "private_rent"}
        What the excess social dwellings become (sold / let at turnover, no displacement).
    assumptions : Assumptions, optional

    Returns
    -------
    ScenarioResult
        The municipal social stock is unchanged (asserted). If the receivers cannot take
        the whole excess, fewer dwellings are converted -- every over-cap buurt in the same
        proportion -- and the part that could not be re-provided is ``dwellings_not_placed``.

    Notes
    -----
    Spreading social rent over the city (e.g. a Den Haag developer restructures a
    corporation's areas and adds social rent elsewhere). Receivers are buurten below the
    municipal share :math:`P`, in proportion to their headroom :math:`P D_i - S_i`, each at most
    :math:`\min(\text{capacity}\, D_i, (P D_i - S_i) / (1 - P))` so that no receiver ends
    above :math:`P`.
    """
    a = assumptions or Assumptions()
    before = split_state(units, a)
    ok = _eligible(before, units, None)
    D_all = before.D.sum(axis=1)
    P = before.D[ok, S].sum() / D_all[ok].sum()
    with quiet():
        share = np.where(D_all > 0, before.D[:, S] / D_all, 0.0)
    excess = np.where(ok & (share > cap), before.D[:, S] - cap * D_all, 0.0)
    headroom = np.where(ok & (share < P), P * D_all - before.D[:, S], 0.0)
    limits = np.minimum(capacity * D_all, headroom / (1.0 - P) if P < 1 else 0.0)
    added = fill_limited(float(excess.sum()), headroom, limits)
    provided = float(added.sum())
    scale = provided / excess.sum() if excess.sum() > 0 else 0.0
    c = excess * scale
    after = convert_social(before, c, convert_to, a)
    built = np.zeros_like(before.D)
    built[:, S] = added
    _build(after, built, a)
    stock_before, stock_after = before.D[:, S].sum(), after.D[:, S].sum()
    assert abs(stock_after - stock_before) <= 1e-6 * max(stock_before, 1.0), (
        "spread must keep the municipal social stock"
    )
    years = years_at_turnover(c, before.D[:, S], a.turnover_social)
    short = float(excess.sum()) - provided
    notes = (
        (
            f"capacity too small: {short:.0f} of {excess.sum():.0f} excess social dwellings "
            f"not re-provided; every buurt over the cap converts {scale:.0%} of its excess",
        )
        if short > 1e-6
        else ()
    )
    costs = ScenarioCosts(
        dwellings_converted=float(c.sum()),
        dwellings_built=provided,
        notes=notes,
        years_needed=years[0],
        years_needed_mean=years[1],
        dwellings_not_placed=float(excess.sum()) - provided,
        units_changed=int(((c > 0) | (added > 0)).sum()),
    )
    return ScenarioResult(write_state(units, before, after), costs)


def _rank_key(units, state: State, rank_by: str) -> np.ndarray:
    """Lower = built first."""
    D_all = state.D.sum(axis=1)
    if rank_by == "social_share":
        with quiet():
            return np.where(D_all > 0, state.D[:, S] / D_all, np.nan)
    return -units[rank_by].to_numpy(dtype="float64")


@shared_parameters
def add_social(
    units, *, n=500, rank_by="social_share", capacity=0.1, assumptions=None
) -> ScenarioResult:
    """Sociaal in duur: build ``n`` social dwellings in the buurten that have the fewest.

    Parameters
    ----------
    {SCENARIO_UNITS}
    n : float
        Social dwellings to build.
    rank_by : {"social_share", "mean_income", "mean_woz"}
        Build first in the lowest social share, or the highest mean income / WOZ value.
    capacity : float
        Per buurt at most ``capacity`` x its dwellings are added.
    assumptions : Assumptions, optional

    Returns
    -------
    ScenarioResult
        ``dwellings_not_placed`` = dwellings that found no room.

    Notes
    -----
    "Build cheap homes in expensive areas". Buurten are filled in
    rank order up to their capacity (one cumulative sum, no loop). New tenants are
    low-income with ``low_income_new_social``; they are new households in the
    municipality (from the waiting list).
    """
    a = assumptions or Assumptions()
    before = split_state(units, a)
    key = _rank_key(units, before, rank_by)
    ok = _eligible(before, units, None) & np.isfinite(key)
    limits = np.where(ok, capacity * before.D.sum(axis=1), 0.0)
    order = np.lexsort((np.arange(len(key)), np.where(ok, key, np.inf)))
    cum = np.cumsum(limits[order]) - limits[order]
    alloc = np.zeros(len(key))
    alloc[order] = np.clip(float(n) - cum, 0.0, limits[order])
    after = before.copy()
    built = np.zeros_like(before.D)
    built[:, S] = alloc
    _build(after, built, a)
    costs = ScenarioCosts(
        dwellings_built=float(alloc.sum()),
        dwellings_not_placed=float(n) - float(alloc.sum()),
        units_changed=int((alloc > 0).sum()),
    )
    return ScenarioResult(write_state(units, before, after), costs)


@shared_parameters
def allocation(
    units, *, years=10, share=0.1, concentration_threshold=0.5, turnover=None, assumptions=None
) -> ScenarioResult:
    r"""Passend toewijzen / "magische mix" / Rotterdamwet: steer who gets vacant social homes.

    Parameters
    ----------
    {SCENARIO_UNITS}
    years : float
        Years the rule applies.
    share : float
        Share of the social dwellings falling vacant in concentrated buurten that go to
        middle-income households instead of low-income ones.
    concentration_threshold : float
        Buurten with a social share >= this are "concentrated" (designated areas).
    turnover : float, optional
        Annual social turnover; default ``assumptions.turnover_social``.
    assumptions : Assumptions, optional

    Returns
    -------
    ScenarioResult
        Tenure and households unchanged; low-income households move from concentrated
        buurten to social vacancies elsewhere (``households_rehoused``), in proportion to
        the social vacancies there. Municipal low-income total unchanged.

    Notes
    -----
    Allocation of vacated social homes to higher incomes. Vacancies over the period:
    :math:`V_i = S_i (1 - (1 - \tau)^Y)`
    (dwellings let at least once). Low-income households redirected:
    :math:`M_i = \min(\sigma V_i h_i a_s, L^{social}_i)` with :math:`h_i` households per
    social dwelling and :math:`a_s` = ``low_income_new_social`` (without the rule only
    that share of the lets would have gone to low-income households). Elsewhere they take
    vacancies that would have gone to other households: at most
    :math:`V_j h_j (1 - a_s)` per buurt. What does not fit is ``households_not_rehoused``
    (and is not redirected).
    """
    a = assumptions or Assumptions()
    tau = a.turnover_social if turnover is None else float(turnover)
    before = split_state(units, a)
    ok = _eligible(before, units, None) & before.income_known
    D_all = before.D.sum(axis=1)
    with quiet():
        share_social = np.where(D_all > 0, before.D[:, S] / D_all, 0.0)
        h = np.where(before.D[:, S] > 0, before.H[:, S] / before.D[:, S], 0.0)
    let = 1.0 - (1.0 - tau) ** float(years)
    V = before.D[:, S] * let
    conc = ok & (share_social >= concentration_threshold)
    wanted = np.where(
        conc, np.minimum(share * V * h * a.low_income_new_social, before.L[:, S]), 0.0
    )
    receivers = ok & ~conc & (before.D[:, S] > 0)
    limits = np.minimum(V * h * (1.0 - a.low_income_new_social), before.H[:, S] - before.L[:, S])
    got = fill_limited(float(wanted.sum()), np.where(receivers, V, 0.0), limits)
    moved = float(got.sum())
    sent = wanted * (moved / wanted.sum()) if wanted.sum() > 0 else wanted
    after = before.copy()
    after.L[:, S] += got - sent
    costs = ScenarioCosts(
        households_rehoused=moved,
        years_needed=float(years),
        years_needed_mean=float(years),
        households_not_rehoused=float(wanted.sum()) - moved,
        units_changed=int(((sent > 0) | (got > 0)).sum()),
    )
    return ScenarioResult(write_state(units, before, after), costs)
