"""The alias registry: which source column becomes which canonical column, in what unit.

One table says, per canonical column, how every CBS scheme spells it, which unit the source
uses by default and — for percentages — the documented base the percentage is of. Readers
never hard-code column names; they call :func:`resolve_columns`.

Matching
--------
Header names are normalised (:func:`normalise`): lowercase, accents folded, ``|`` hierarchy
markers, OData ``_N`` suffixes and unit suffixes (``(aantal)``, R's ``..aantal.``) dropped,
alphanumerics only. An ``"end"`` alias matches when the normalised name *ends* with it, so
``Bevolking/Aantal inwoners (aantal)``, ``AantalInwoners_5``, ``||Aantal inwoners`` and
``Bevolking.Aantal.inwoners..aantal.`` all map to ``population``. Each column goes to the
canonical whose matching alias is the LONGEST (``...niet westers totaal`` is nonwestern, not
western). ``"exact"`` aliases (short map codes such as ``AANT_INW``, PDOK snake_case) must
equal the whole normalised name, because short codes are substrings of unrelated names.
When several columns qualify for one canonical: an exact match wins, then the alias listed
first, then the column whose unit fits the alias' unit, then the first column (StatLine's
duplicate names such as ``Huurwoning`` in kWh and in m³ are resolved by their unit).

Sources checked for the attribute names (searched in public code and docs, 2025)
------------------------------------------------------------------------------
==========================  ==========================================  ======================
canonical                    scheme: column (unit)                       seen in
==========================  ==========================================  ======================
population                   OData ``AantalInwoners_N``; StatLine        84583NED, 83765NED,
                             ``Aantal inwoners``; kaart ``AANT_INW``;     85984NED files here;
                             PDOK ``aantal_inwoners``; PC4 ``INWONER``    PDOK wijkenbuurten
                                                                          2019 WFS column lists
households                   ``HuishoudensTotaal_N``; kaart/PC4           idem; PDOK
                             ``AANTAL_HH``; PDOK ``aantal_huishoudens``   2019–2023
dwellings                    ``Woningvoorraad_N``; kaart ``WONINGEN``;    idem; PC4 mapping.txt
                             PDOK ``woningvoorraad`` (2019–21),           (PDOK attribute mapper)
                             ``aantal_woningen``; PC4 ``WONING``
dwellings_social (%)         ``InBezitWoningcorporatie_N``; kaart          kaart 2009–2018
                             ``P_HUURCORP`` (≤2018), ``P_WCORPW``;         shapefiles (R/NetLogo
                             PDOK ``perc_huurwoningen_in_bezit_``          projects), PDOK 2022+
                             ``woningcorporaties`` (2022+) and            (OGC API attribute
                             ``percentage_huurwoningen_in_bezit_``        lists)
                             ``woningcorporaties``; PC4 ``WON_HCORP``
                             is a COUNT
dwellings_private_rent (%)   ``InBezitOverigeVerhuurders_N``; kaart        kaart shapefiles; PDOK
                             ``P_HUUROVVH``; PDOK ``perc_huurwoningen_``   2022+
                             ``in_bezit_overige_verhuurders``
dwellings_owner_occupied %   ``Koopwoningen_N``; ``P_KOOPWON``; PDOK
                             ``percentage_koopwoningen``
households_low_income (%)    ``HuishoudensMetEenLaagInkomen_N``;           see Notes: definitions
                             PDOK ``percentage_huishoudens_met_laag_``     differ between schemes
                             ``inkomen``; kaart ``P_LAAGINKH``; PC4
                             ``P_LINK_HH``
population_migration_*       ``WestersTotaal_N``/``NietWestersTotaal_N``   counts in OData/StatLine
                             (counts; % in StatLine 2014); kaart           2015+; % elsewhere
                             ``P_WEST_AL``/``P_N_W_AL``; PDOK
                             ``percentage_(niet_)westerse_``
                             ``migratieachtergrond``; PC4
                             ``P_WE_MIG_A``/``P_NW_MIG_A``
population_origin_*          85984NED ``Herkomstland/Nederland``,          2022+ herkomst
                             ``Europa (exclusief Nederland)``,             classification; PDOK
                             ``Buiten Europa``; PDOK ``percentage_met_``   2022+
                             ``herkomstland_nederland``, ``..._uit_``
                             ``europa_excl_nl``, ``..._buiten_europa``
mean_income (x 1000 euro)    ``GemiddeldInkomenPerInwoner_N``; kaart
                             ``INK_INW``; PDOK ``gemiddeld_inkomen_``
                             ``per_inwoner``
mean_woz (x 1000 euro)       ``GemiddeldeWoningwaarde_N`` (≤2019),
                             ``GemiddeldeWOZWaardeVanWoningen_N``; kaart
                             ``WOZ``; PDOK ``gemiddelde_woningwaarde``
==========================  ==========================================  ======================

Notes
-----
Percentages become counts against their documented base (:data:`PERCENT_BASE`):
housing shares are % of the dwelling stock; migration and origin shares are % of
inhabitants; CBS' "households with a low income" is a % of *private households with a
known income*, which we approximate by all households. The map files' ``P_LINK_HH`` /
``percentage_huishoudens_met_laag_inkomen`` may be CBS' "40 % lowest incomes" definition
(values around 40 %), unlike StatLine's "huishoudens met een laag inkomen" (below the
low-income threshold, ~10 %); compare ``households_low_income`` only within one scheme.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mixing.errors import InputError
from mixing.schema import CANONICAL_COLUMNS

__all__ = [
    "Alias",
    "REGISTRY",
    "PERCENT_BASE",
    "HELPER_COLUMNS",
    "SPEC_KEYS",
    "check_column_spec",
    "Resolved",
    "normalise",
    "split_unit",
    "unit_kind",
    "resolve_columns",
]

COUNT, PERCENT, THOUSAND_EURO, TEXT = "count", "percent", "x1000 euro", "text"


@dataclass(frozen=True)
class Alias:
    """One spelling of a canonical column: normalised text, how it matches, default unit."""

    text: str
    match: str = "end"  # "end" (suffix of a normalised header) or "exact"
    unit: str = COUNT


def _end(unit: str, *texts: str) -> tuple[Alias, ...]:
    return tuple(Alias(t, "end", unit) for t in texts)


def _exact(unit: str, *texts: str) -> tuple[Alias, ...]:
    return tuple(Alias(t, "exact", unit) for t in texts)


#: Canonical columns that help build others but are not in the output.
HELPER_COLUMNS = ("region_type", "dwellings_rented", "water")

#: canonical name -> aliases in priority order (the first listed wins among equals).
REGISTRY: dict[str, tuple[Alias, ...]] = {
    # unit_code: buurt before wijk before gemeente, because map files carry all three.
    "unit_code": _exact(TEXT, "unitcode", "bucode", "buurtcode", "wkcode", "wijkcode",
                        "gmcode", "gemeentecode", "statcode", "pc6", "pc4", "pc41",
                        "postcode4", "postcode", "gwbcode")
    + _end(TEXT, "codering"),
    # "regionaam": the names mixing.io.download adds to OData files (WijkenEnBuurten Title).
    "unit_name": _exact(TEXT, "unitname", "bunaam", "buurtnaam", "wknaam", "wijknaam",
                        "statnaam", "regionaam") + _end(TEXT, "wijkenenbuurten"),
    "municipality_name": _exact(TEXT, "municipalityname", "gmnaam", "gemeentenaam")
    + _end(TEXT, "gemeentenaam"),
    "municipality_code": _exact(TEXT, "municipalitycode"),
    "region_type": _exact(TEXT, "level") + _end(TEXT, "soortregio"),
    # "jaar" only exactly: "0 tot 15 jaar" ends with "jaar" too.
    "year": _exact(TEXT, "year", "jaar", "jaarstatcode", "jrstatcode", "perioden"),
    "water": _exact(TEXT, "water", "iswater"),
    "population": _exact(COUNT, "population", "aantinw", "inwoner", "ainw", "aantalinwoners")
    + _end(COUNT, "aantalinwoners"),
    "households": _exact(COUNT, "households", "aantalhh", "aantalhuishoudens", "ahh",
                         "aantalparthuishoudens") + _end(COUNT, "huishoudenstotaal"),
    "dwellings": _exact(COUNT, "dwellings", "woningen", "woning", "woningvoorraad",
                        "aantalwoningen", "awoning") + _end(COUNT, "woningvoorraad"),
    "dwellings_social": _exact(COUNT, "dwellingssocial", "wonhcorp",
                               "aantalhuurwoningeninbezitwoningcorporaties")
    + _exact(PERCENT, "phuurcorp", "pwcorpw", "perchuurwoningeninbezitwoningcorporaties",
             "percentagehuurwoningeninbezitwoningcorporaties")
    + _end(PERCENT, "inbezitwoningcorporatie"),
    "dwellings_private_rent": _exact(COUNT, "dwellingsprivaterent")
    + _exact(PERCENT, "phuurovvh", "povvh", "perchuurwoningeninbezitoverigeverhuurders",
             "percentagehuurwoningeninbezitoverigeverhuurders")
    + _end(PERCENT, "inbezitoverigeverhuurders"),
    "dwellings_rented": _exact(PERCENT, "phuurwon", "phuurw", "percentagehuurwoningen")
    + _end(PERCENT, "huurwoningentotaal"),
    "dwellings_owner_occupied": _exact(COUNT, "dwellingsowneroccupied")
    + _exact(PERCENT, "pkoopwon", "pkoopw", "percentagekoopwoningen")
    + _end(PERCENT, "koopwoningen"),
    "households_low_income": _exact(COUNT, "householdslowincome")
    + _exact(PERCENT, "plaaginkh", "plinkhh", "phhli", "percentagehuishoudensmetlaaginkomen")
    + _end(PERCENT, "huishoudensmeteenlaaginkomen", "huishoudensmetlaaginkomen"),
    "population_migration_western": _exact(COUNT, "populationmigrationwestern")
    + _exact(PERCENT, "pwestal", "pwemiga", "pwall", "percentagewestersemigratieachtergrond",
             "percentagewestersemigrachtergr")
    + _end(COUNT, "westerstotaal"),
    "population_migration_nonwestern": _exact(COUNT, "populationmigrationnonwestern")
    + _exact(PERCENT, "pnwal", "pnwmiga", "pnwall",
             "percentagenietwestersemigratieachtergrond", "percentagenietwestersemigrachtergr")
    + _end(COUNT, "nietwesterstotaal"),
    "population_origin_dutch": _exact(COUNT, "populationorigindutch", "nederland")
    + _exact(PERCENT, "percentagemetherkomstlandnederland",
             "percentagegebnederlandherkomstnederland")
    + _end(COUNT, "herkomstlandnederland"),
    "population_origin_europe": _exact(COUNT, "populationorigineurope")
    + _exact(PERCENT, "percentagemetherkomstlanduiteuropaexclnl")
    + _end(COUNT, "europaexclusiefnederland"),
    "population_origin_outside_europe": _exact(COUNT, "populationoriginoutsideeurope")
    + _exact(PERCENT, "percentagemetherkomstlandbuiteneuropa")
    + _end(COUNT, "herkomstlandbuiteneuropa", "buiteneuropa"),
    "population_benefits": _exact(COUNT, "populationbenefits",
                                  "aantalpersonenmetuitkeringonderaowlft", "uitkminaow"),
    "mean_income": _exact(THOUSAND_EURO, "meanincome", "inkinw", "inkinw2", "ginkpi",
                          "gemiddeldinkomenperinwoner")
    + _end(THOUSAND_EURO, "gemiddeldinkomenperinwoner"),
    "mean_woz": _exact(THOUSAND_EURO, "meanwoz", "woz", "gwoz", "gemiddeldewoningwaarde",
                       "gemiddeldewozwaardewoning")
    + _end(THOUSAND_EURO, "gemiddeldewoningwaarde", "gemiddeldewozwaardevanwoningen"),
}

#: A percentage of a canonical count is converted against this base count.
#: Canonical columns CBS splits over several source columns, summed (all parts must be
#: there): the PC4 statistics since 2022 split origin by country of birth as well
#: ("geboren in Nederland, herkomst buiten Europa" + "geboren buiten Nederland, herkomst
#: buiten Europa"; CBS spells the second "herkmst" in its PC4 2023 file).
SUMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "population_origin_europe": (
        ("percentagegebnederlandherkomstoverigeuropa",),
        ("percentagegebbuitennederlandherkomsteuropa",
         "percentagegebbuitennederlandherkmsteuropa")),
    "population_origin_outside_europe": (
        ("percentagegebnederlandherkomstbuiteneuropa",),
        ("percentagegebbuitennederlandherkmstbuiteneuropa",
         "percentagegebbuitennederlandherkomstbuiteneuropa")),
}

PERCENT_BASE = {
    "dwellings_social": "dwellings",
    "dwellings_private_rent": "dwellings",
    "dwellings_rented": "dwellings",
    "dwellings_owner_occupied": "dwellings",
    "households_low_income": "households",  # CBS: private households with known income
    "population_migration_western": "population",
    "population_migration_nonwestern": "population",
    "population_origin_dutch": "population",
    "population_origin_europe": "population",
    "population_origin_outside_europe": "population",
}

#: Names a user may use as keys of ``columns=``.
USER_KEYS = tuple(c for c in CANONICAL_COLUMNS if c not in ("level", "wijk_code", "geometry",
                                                           "is_uninhabited"))
USER_KEYS = USER_KEYS + ("water",)

_UNIT_WORDS = {
    "aantal": COUNT, "count": COUNT, "%": PERCENT, "percent": PERCENT, "x1000euro": THOUSAND_EURO,
    "x 1 000 euro": THOUSAND_EURO, "code": TEXT, "naam": TEXT, "omschrijving": TEXT,
}
_R_UNIT = re.compile(r"^(?P<name>.*[^.])\.{2,}(?P<unit>[^.]+(?:\.[^.]+)*)?\.*$")
_PAREN_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
_ODATA_SUFFIX = re.compile(r"_\d+$")


def split_unit(name: str) -> tuple[str, str | None]:
    """Split a header into (name, unit text) for ``(unit)`` and R's ``..unit.`` suffixes.

    >>> split_unit("Bevolking/Aantal inwoners (aantal)")
    ('Bevolking/Aantal inwoners', 'aantal')
    >>> split_unit("Wonen.Woningen.naar.eigendom.Koopwoningen....")
    ('Wonen.Woningen.naar.eigendom.Koopwoningen', '%')
    """
    name = str(name).strip()
    paren = _PAREN_UNIT.match(name)
    if paren and "/" in name:  # 2024 path-style headers: "Bevolking/... (aantal)"
        return paren["name"], paren["unit"].strip()
    if " " not in name and "/" not in name:
        r_name = _R_UNIT.match(name)
        if r_name:
            # R turns "(%)" into "....", so an empty unit after the dots is a percentage.
            unit = r_name["unit"]
            return r_name["name"], ("%" if not unit else unit.replace(".", " "))
    return name, None


def unit_kind(unit: str | None) -> str | None:
    """Map a CBS unit label (``aantal``, ``%``, ``x 1 000 euro``) to a registry unit."""
    if unit is None:
        return None
    text = str(unit).strip().lower()
    if not text:
        return None
    return _UNIT_WORDS.get(text, _UNIT_WORDS.get(text.replace(" ", ""), text))


def normalise(name: object) -> str:
    """Normalised header for matching: lowercase alphanumerics, no ``|``/``_N``/unit suffix.

    >>> normalise("NietWestersTotaal_18"), normalise("||Niet-westers totaal")
    ('nietwesterstotaal', 'nietwesterstotaal')
    """
    text, _ = split_unit(str(name))
    # Only CamelCase OData keys carry a "_N" ordinal; PC4_1 or snake_case keep their digits.
    if re.search(r"[a-z]", text) and re.search(r"[A-Z]", text) and "_" in text:
        text = _ODATA_SUFFIX.sub("", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", text.lower())


@dataclass(frozen=True)
class Resolved:
    """Where a canonical column comes from: column position, source name, unit.

    ``parts`` holds the positions of further columns added to it (:data:`SUMS`).
    """

    position: int
    source: str
    unit: str
    parts: tuple[int, ...] = ()


def _sums(keys: Sequence[str], names: Sequence[str]) -> dict[str, Resolved]:
    """The :data:`SUMS` whose every part is in the header."""
    found = {}
    for canonical, parts in SUMS.items():
        positions = [next((i for i, k in enumerate(keys) if k in spellings), None)
                     for spellings in parts]
        if None not in positions:
            found[canonical] = Resolved(positions[0], " + ".join(names[i] for i in positions),
                                        PERCENT, tuple(positions[1:]))
    return found


def _candidates(keys: Sequence[str], exact_only: bool, claimed=frozenset()):
    """Yield (canonical, position, alias_rank, exact, alias) for each column's best match."""
    for position, key in enumerate(keys):
        if not key or position in claimed:
            continue
        best = None
        for canonical, aliases in REGISTRY.items():
            for rank, alias in enumerate(aliases):
                exact = key == alias.text and alias.match == "exact"
                suffix = (alias.match == "end" and not exact_only and key.endswith(alias.text))
                if not (exact or suffix):
                    continue
                score = (exact, len(alias.text))
                if best is None or score > best[0]:
                    best = (score, canonical, rank, exact, alias)
        if best is not None:
            _, canonical, rank, exact, alias = best
            yield canonical, position, rank, exact, alias


#: The keys of a column spec ``{"column": ..., "unit": ...}`` in ``columns=``.
SPEC_KEYS = ("column", "unit")


def check_column_spec(columns: Mapping, file: object = None) -> None:
    """Raise for a ``columns=`` mapping with an unknown canonical column, spec key or unit.

    Checked without reading any file, so ``mixing check-config`` runs it too.
    """
    if not isinstance(columns, Mapping):
        raise InputError(
            f"columns= must be a mapping {{canonical: source column}}, got a "
            f"{type(columns).__name__}", file=file, value=columns,
            fix="pass e.g. columns={'unit_code': 'Codering', 'population': 'Inwoners'}")
    for canonical, spec in columns.items():
        if canonical not in USER_KEYS:
            raise InputError(
                f"unknown canonical column {canonical!r} in columns=; valid keys are "
                f"{list(USER_KEYS)}", file=file,
                fix="use one of the canonical names as the key, the source column as the value")
        if isinstance(spec, Mapping):
            unknown = sorted(map(str, set(spec) - set(SPEC_KEYS)))
            if unknown:
                raise InputError(
                    f"columns[{canonical!r}] has unknown key(s) {unknown}; a column spec "
                    f"takes only {list(SPEC_KEYS)}", file=file, value=dict(spec),
                    fix=f"write columns={{{canonical!r}: {{'column': '<source column>', "
                    "'unit': 'count' or 'percent'}}")
            if "column" not in spec:
                raise InputError(f"columns[{canonical!r}] names no 'column'", file=file,
                                 value=dict(spec), fix="add 'column': '<source column>'")
            if spec.get("unit") not in (None, COUNT, PERCENT):
                raise InputError(f"columns[{canonical!r}] has unit {spec.get('unit')!r}; use "
                                 "'count' or 'percent'", file=file)


def _user_mapping(columns: Mapping, names: Sequence[str], units: Sequence[str | None],
                  file: object) -> dict[str, Resolved]:
    check_column_spec(columns, file)
    resolved = {}
    for canonical, spec in columns.items():
        if isinstance(spec, Mapping):
            source, unit = spec.get("column"), spec.get("unit", None)
        else:
            source, unit = spec, None
        stripped = [str(n).strip() for n in names]
        if str(source) not in stripped:
            shown = [n for n in stripped if n][:20]
            raise InputError(
                f"columns= maps {canonical!r} to {source!r}, which is not a column of the "
                f"file; it has {shown}{' ...' if len(stripped) > 20 else ''}",
                file=file, column=str(source), fix="check the spelling of the source column")
        position = stripped.index(str(source))
        default = REGISTRY.get(canonical, (Alias("", "exact", COUNT),))[0].unit
        if canonical in PERCENT_BASE or canonical in ("population", "households", "dwellings"):
            default = COUNT
        resolved[canonical] = Resolved(position, str(source),
                                       unit or unit_kind(units[position]) or default)
    return resolved


def resolve_columns(
    names: Sequence[str],
    units: Sequence[str | None] | None = None,
    *,
    columns: Mapping | None = None,
    exact_only: bool = False,
    file: object = None,
) -> dict[str, Resolved]:
    """Find the source column of every canonical column present in a header.

    Parameters
    ----------
    names : sequence of str
        The header, in file order (duplicates allowed).
    units : sequence of str or None, optional
        Unit labels per column where the file states them (StatLine unit row, ``(aantal)``).
    columns : mapping, optional
        User mapping ``{canonical: source}`` or ``{canonical: {"column": source, "unit":
        "count" | "percent"}}``; it overrides the registry for the keys it names.
    exact_only : bool
        Only exact aliases (map attribute tables, where suffix matches would be unsafe).
    file : path-like, optional
        Named in error messages.

    Returns
    -------
    dict
        canonical name -> :class:`Resolved`. Canonical columns absent from the header are
        absent from the dict.
    """
    names = [str(n) for n in names]
    units = list(units) if units is not None else [None] * len(names)
    keys = [normalise(n) for n in names]
    for i, name in enumerate(names):
        if units[i] is None:
            units[i] = split_unit(name)[1]
    sums = _sums(keys, names)
    claimed = {p for r in sums.values() for p in (r.position, *r.parts)}
    by_canonical: dict[str, list] = {}
    for canonical, position, rank, exact, alias in _candidates(keys, exact_only, claimed):
        by_canonical.setdefault(canonical, []).append((position, rank, exact, alias))
    resolved = {}
    for canonical, found in by_canonical.items():
        def order(item, _units=units):
            position, rank, exact, alias = item
            stated = unit_kind(_units[position])
            fits = stated is None or stated == alias.unit or alias.unit == TEXT
            return (not exact, rank, not fits, position)

        position, _, _, alias = min(found, key=order)
        stated = unit_kind(units[position])
        unit = alias.unit if alias.unit == TEXT or stated not in (COUNT, PERCENT,
                                                                 THOUSAND_EURO) else stated
        resolved[canonical] = Resolved(position, names[position], unit)
    resolved.update(sums)
    if columns:
        resolved.update(_user_mapping(columns, names, units, file))
    return resolved
