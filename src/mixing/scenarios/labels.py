"""Plain-language titles of scenarios, in Dutch (default) and English, from their parameters.

A scenario in ``config/scenarios.yaml`` has an id (``spreiden_50``) and a free-text
``description``; policy staff need a title that says what the scenario does to the stock.
The title is written from the scenario's *type and parameters*, so it is right for every
scenario a user defines and can never disagree with what was computed:
``scenario_title(s)`` -> "Spreiden: hoogstens 50 % sociale huur per buurt".
The comparison page (:mod:`mixing.viz.compare`) and the map read titles from here only.
"""

from __future__ import annotations

from collections.abc import Mapping

from mixing.scenarios.spec import Scenario

__all__ = ["scenario_title", "short_title", "TENURE_WORDS"]

#: Tenures as words in a sentence.
TENURE_WORDS = {
    "nl": {"owner_occupied": "koopwoningen", "private_rent": "particuliere huur",
           "social": "sociale huur"},
    "en": {"owner_occupied": "owner-occupied homes", "private_rent": "private rent",
           "social": "social housing"},
}

_RANK = {
    "nl": {"social_share": "met de minste sociale huur", "mean_income": "met de hoogste inkomens",
           "mean_woz": "met de hoogste WOZ-waarde"},
    "en": {"social_share": "with the least social housing", "mean_income": "with the highest "
           "incomes", "mean_woz": "with the highest property values"},
}


_SALE = {
    "nl": {"owner_occupied": "Verkoop aan bewoners", "private_rent": "Verkoop aan verhuurders"},
    "en": {"owner_occupied": "Sale to owner-occupiers", "private_rent": "Sale to landlords"},
}

#: Short names of the steps of a package (``combine``).
_SHORT = {
    "nl": {"differentiate": "herstructurering", "spread": "spreiden",
           "add_social": "sociaal bijbouwen", "allocation": "toewijzing",
           "new_district": "nieuwe wijk", "target": "optimaal verkopen"},
    "en": {"differentiate": "restructuring", "spread": "spreading",
           "add_social": "social new build", "allocation": "allocation",
           "new_district": "new district", "target": "optimal sale"},
}


def _pct(share: float) -> str:
    """0.35 -> ``35 %`` (same in both languages up to the decimal sign)."""
    value = round(100.0 * float(share), 1)
    text = f"{value:g}".replace(".", ",")
    return f"{text} %"


def _count(value: float, language: str) -> str:
    text = f"{float(value):,.0f}"
    return text.replace(",", ".") if language == "nl" else text


def scenario_title(
    scenario: Scenario, language: str = "nl", scenarios: Mapping[str, Scenario] | None = None
) -> str:
    """A one-line title of what ``scenario`` does, written from its type and parameters.

    Parameters
    ----------
    scenario : Scenario
    language : {"nl", "en"}
    scenarios : mapping, optional
        All scenarios, to name the steps of a ``combine`` scenario.

    Returns
    -------
    str

    Examples
    --------
    >>> from mixing.scenarios import scenario
    >>> scenario_title(scenario("s", "spread", cap=0.5))
    'Spreiden: hoogstens 50 % sociale huur per buurt, de rest elders bijbouwen'
    >>> scenario_title(scenario("s", "differentiate", method="demolish_rebuild"), "en")
    'Demolish and rebuild: neighbourhoods above 70 % social housing down to 50 %'
    """
    if language not in ("nl", "en"):
        raise ValueError(f"language must be 'nl' or 'en', got {language!r}")
    p, nl = scenario.params, language == "nl"
    kind = scenario.type
    if kind == "differentiate":
        where = (f"buurten boven {_pct(p['threshold'])} sociale huur naar {_pct(p['target'])}"
                 if nl else f"neighbourhoods above {_pct(p['threshold'])} social housing down "
                 f"to {_pct(p['target'])}")
        if p["method"] == "sale":
            head = _SALE[language][p["convert_to"]]
        else:
            head = "Sloop en nieuwbouw" if nl else "Demolish and rebuild"
        title = f"{head}: {where}"
        if p.get("restrict_to"):
            n = len(p["restrict_to"])
            title += (f" (alleen {n} aangewezen buurten)" if nl
                      else f" (only {n} designated neighbourhoods)")
        return title
    if kind == "spread":
        return (f"Spreiden: hoogstens {_pct(p['cap'])} sociale huur per buurt, de rest elders "
                "bijbouwen" if nl else f"Spread: at most {_pct(p['cap'])} social housing per "
                "neighbourhood, the rest rebuilt elsewhere")
    if kind == "add_social":
        rank = _RANK[language][p["rank_by"]]
        return (f"{_count(p['n'], language)} sociale huurwoningen bouwen in buurten {rank}"
                if nl else f"Build {_count(p['n'], language)} social homes in neighbourhoods "
                f"{rank}")
    if kind == "allocation":
        years = f"{float(p['years']):g}"
        return (f"Toewijzing: {years} jaar lang {_pct(p['share'])} van de vrijkomende sociale "
                f"huur naar middeninkomens (buurten vanaf {_pct(p['concentration_threshold'])})"
                if nl else f"Allocation: for {years} years {_pct(p['share'])} of vacant social "
                f"homes to middle incomes (neighbourhoods from "
                f"{_pct(p['concentration_threshold'])})")
    if kind == "new_district":
        return (f"Nieuwe wijk: {_count(p['dwellings'], language)} woningen, "
                f"{_pct(p['social_share'])} sociale huur" if nl else
                f"New district: {_count(p['dwellings'], language)} homes, "
                f"{_pct(p['social_share'])} social housing")
    if kind == "combine":
        steps = list(p["steps"])
        if scenarios:
            steps = [_SHORT[language].get(scenarios[s].type, s) if s in scenarios else s
                     for s in steps]
        return ("Pakket: " if nl else "Package: ") + ", dan ".join(steps) if nl else (
            "Package: " + ", then ".join(steps))
    if kind == "target":
        what = (f"{_count(p['budget'], language)} woningen" if p["budget_unit"] == "dwellings"
                else f"{_count(p['budget'], language)} verhuisde huishoudens")
        if not nl:
            what = (f"{_count(p['budget'], language)} homes" if p["budget_unit"] == "dwellings"
                    else f"{_count(p['budget'], language)} displaced households")
        how = ("verkopen" if p["method"] == "sale" else "slopen en herbouwen") if nl else (
            "sold" if p["method"] == "sale" else "demolished and rebuilt")
        return (f"Beste keuze: {what} {how} waar de segregatie het meest daalt" if nl
                else f"Best choice: {what} {how} where segregation falls most")
    return scenario.name


def short_title(scenario: Scenario, language: str = "nl") -> str:
    """A label of a few words for charts: the head of :func:`scenario_title`.

    Examples
    --------
    >>> from mixing.scenarios import scenario
    >>> short_title(scenario("s", "add_social", n=500))
    '500 sociale huur bijbouwen'
    """
    if scenario.type == "add_social":
        n = _count(scenario.params["n"], language)
        return f"{n} sociale huur bijbouwen" if language == "nl" else f"{n} social homes built"
    if scenario.type == "combine":
        return "Pakket" if language == "nl" else "Package"
    return scenario_title(scenario, language).split(":")[0]
