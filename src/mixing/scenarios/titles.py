"""Titles and descriptions of the scenario types, in Dutch and English, from their parameters.

One function per type, ``title(params, language, steps) -> str``, and a short head for
charts. :mod:`mixing.scenarios.types` puts each on its type's record; nobody else writes a
title (:func:`mixing.scenarios.labels.scenario_title` reads the record, and
:func:`mixing.scenarios.run_scenarios` writes the titles into the scenario table, where the
pages read them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mixing.dimensions import Label

__all__ = ["TENURE_WORDS", "TITLES", "SHORT", "ABOUT", "STEP_WORDS", "percent_text",
           "count_text"]

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
STEP_WORDS = {
    "nl": {"differentiate": "herstructurering", "spread": "spreiden",
           "add_social": "sociaal bijbouwen", "allocation": "toewijzing",
           "new_district": "nieuwe wijk", "target": "optimaal verkopen"},
    "en": {"differentiate": "restructuring", "spread": "spreading",
           "add_social": "social new build", "allocation": "allocation",
           "new_district": "new district", "target": "optimal sale"},
}


def percent_text(share: float) -> str:
    """0.35 -> ``35 %`` (same in both languages up to the decimal sign)."""
    value = round(100.0 * float(share), 1)
    return f"{value:g}".replace(".", ",") + " %"


def count_text(value: float, language: str) -> str:
    """2750 -> ``2.750`` (Dutch) or ``2,750`` (English)."""
    text = f"{float(value):,.0f}"
    return text.replace(",", ".") if language == "nl" else text


def _differentiate(p: Mapping, language: str, steps: Sequence[str] = ()) -> str:
    nl = language == "nl"
    where = (f"buurten boven {percent_text(p['threshold'])} sociale huur naar "
             f"{percent_text(p['target'])}" if nl else
             f"neighbourhoods above {percent_text(p['threshold'])} social housing down to "
             f"{percent_text(p['target'])}")
    head = (_SALE[language][p["convert_to"]] if p["method"] == "sale"
            else "Sloop en nieuwbouw" if nl else "Demolish and rebuild")
    title = f"{head}: {where}"
    if p.get("restrict_to"):
        n = len(p["restrict_to"])
        title += (f" (alleen {n} aangewezen buurten)" if nl
                  else f" (only {n} designated neighbourhoods)")
    return title


def _spread(p: Mapping, language: str, steps: Sequence[str] = ()) -> str:
    cap = percent_text(p["cap"])
    return (f"Spreiden: hoogstens {cap} sociale huur per buurt, de rest elders bijbouwen"
            if language == "nl" else
            f"Spread: at most {cap} social housing per neighbourhood, the rest rebuilt elsewhere")


def _add_social(p: Mapping, language: str, steps: Sequence[str] = ()) -> str:
    rank, n = _RANK[language][p["rank_by"]], count_text(p["n"], language)
    return (f"{n} sociale huurwoningen bouwen in buurten {rank}" if language == "nl"
            else f"Build {n} social homes in neighbourhoods {rank}")


def _allocation(p: Mapping, language: str, steps: Sequence[str] = ()) -> str:
    years, share = f"{float(p['years']):g}", percent_text(p["share"])
    where = percent_text(p["concentration_threshold"])
    return (f"Toewijzing: {years} jaar lang {share} van de vrijkomende sociale huur naar "
            f"middeninkomens (buurten vanaf {where})" if language == "nl" else
            f"Allocation: for {years} years {share} of vacant social homes to middle incomes "
            f"(neighbourhoods from {where})")


def _new_district(p: Mapping, language: str, steps: Sequence[str] = ()) -> str:
    n, social = count_text(p["dwellings"], language), percent_text(p["social_share"])
    return (f"Nieuwe wijk: {n} woningen, {social} sociale huur" if language == "nl"
            else f"New district: {n} homes, {social} social housing")


def _combine(p: Mapping, language: str, steps: Sequence[str] = ()) -> str:
    """``steps``: the steps' types (or names, when a step is unknown), in order."""
    words = [STEP_WORDS[language].get(s, s) for s in (steps or p["steps"])]
    return ("Pakket: " + ", dan ".join(words) if language == "nl"
            else "Package: " + ", then ".join(words))


def _target(p: Mapping, language: str, steps: Sequence[str] = ()) -> str:
    n, nl = count_text(p["budget"], language), language == "nl"
    homes = p["budget_unit"] == "dwellings"
    what = (f"{n} woningen" if homes else f"{n} huishoudens die moeten verhuizen") if nl else (
        f"{n} homes" if homes else f"{n} households that must move")
    sale = p["method"] == "sale"
    how = ("verkopen" if sale else "slopen en herbouwen") if nl else (
        "sold" if sale else "demolished and rebuilt")
    return (f"Beste keuze: {what} {how} waar de segregatie het meest daalt" if nl
            else f"Best choice: {what} {how} where segregation falls most")


#: Type -> title function ``(params, language, steps) -> str``.
TITLES = {"differentiate": _differentiate, "spread": _spread, "add_social": _add_social,
          "allocation": _allocation, "new_district": _new_district, "combine": _combine,
          "target": _target}


def _head(kind: str):
    def short(p: Mapping, language: str) -> str:
        return TITLES[kind](p, language).split(":")[0]
    return short


def _add_social_short(p: Mapping, language: str) -> str:
    n = count_text(p["n"], language)
    return f"{n} sociale huur bijbouwen" if language == "nl" else f"{n} social homes built"


#: Type -> a label of a few words for charts ``(params, language) -> str``.
SHORT = {**{kind: _head(kind) for kind in TITLES}, "add_social": _add_social_short,
         "combine": lambda p, language: "Pakket" if language == "nl" else "Package"}

#: Type -> what it does, for a scenario without its own description.
ABOUT = {
    "differentiate": Label(
        "Herstructurering: buurten met veel sociale huur gaan naar een lager aandeel, door "
        "verkoop (als huurders vertrekken) of door sloop en nieuwbouw.",
        "Restructuring: neighbourhoods with much social housing go down to a lower share, by "
        "sale (as tenants leave) or by demolition and rebuilding."),
    "spread": Label(
        "Spreiden: geen buurt boven het plafond; het teveel wordt verkocht en als sociale huur "
        "gebouwd in buurten met weinig sociale huur.",
        "Spreading: no neighbourhood above the cap; the excess is sold and rebuilt as social "
        "housing in neighbourhoods with little of it."),
    "add_social": Label(
        "Sociale huurwoningen bijbouwen in buurten met weinig sociale huur of hoge inkomens.",
        "Build social homes in neighbourhoods with little social housing or high incomes."),
    "allocation": Label(
        "Toewijzing: een deel van de vrijkomende sociale huurwoningen in buurten met veel "
        "sociale huur gaat naar middeninkomens.",
        "Allocation: part of the social homes falling vacant in neighbourhoods with much "
        "social housing goes to middle incomes."),
    "new_district": Label(
        "Een nieuwe wijk met een vast aandeel sociale huur.",
        "A new district with a fixed share of social housing."),
    "combine": Label("Een pakket: de stappen na elkaar.", "A package: the steps in sequence."),
    "target": Label(
        "Stap voor stap de buurten kiezen waar verkoop of sloop de segregatie het meest "
        "verlaagt, vergeleken met de drempelregel bij hetzelfde aantal woningen.",
        "Choose, step by step, the neighbourhoods where sale or demolition lowers segregation "
        "most, compared with the threshold rule at the same number of homes."),
}
