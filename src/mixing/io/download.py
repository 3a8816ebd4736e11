"""Fetch real CBS data when online: PDOK boundaries and CBS kerncijfers, cached and checksummed.

Two sources, one cache discipline:

* :func:`download_wijkenbuurten` pages through the PDOK OGC API Features service for the
  CBS *wijken en buurten* (buurt, wijk, gemeente boundaries with snake_case attributes such as
  ``buurtcode``, ``gemeentecode``, ``aantal_inwoners``) and writes ONE GeoJSON
  FeatureCollection in EPSG:28992.
* :func:`download_kerncijfers` pages through the CBS open-data OData (v3) feed for the
  *Kerncijfers wijken en buurten* table of a year and writes a ``;``-separated CSV with the
  OData ``Name_N`` keys as header, the layout of the StatLine exports in ``shared/data/cbs``.

Every file gets a sidecar ``{file}.json`` with its sha256, the URLs it came from and what it
holds (no timestamps, so re-running gives identical bytes). A second call with a verified file
present makes no request; a file whose sha256 no longer matches is fetched again; ``force=True``
always fetches. Files are written through :func:`mixing.io.files.atomic_path`, so a failure never
leaves a half-written file. Transient failures (HTTP 5xx, 408, 429, connection reset,
timeout, truncated or invalid JSON) are retried with exponential backoff; other 4xx fail at
once. Progress is logged on the ``mixing.io.download`` logger, one line per page.

Only the standard library is used for HTTP (``urllib.request``).
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mixing import __version__, limits
from mixing.errors import InputError
from mixing.io.files import atomic_path, write_text

__all__ = [
    "CBS_ODATA_BASE",
    "KERNCIJFERS_TABLES",
    "PDOK_BASE",
    "PDOK_COLLECTIONS",
    "RD_NEW_URI",
    "DownloadError",
    "download_kerncijfers",
    "download_wijkenbuurten",
    "kerncijfers_url",
    "NAMES_COLUMN",
    "region_names_url",
    "sha256_file",
    "verify_cached",
    "wijkenbuurten_url",
]

logger = logging.getLogger("mixing.io.download")

#: Root of the CBS services on PDOK. One OGC API per year lives under it:
#: ``{PDOK_BASE}/wijken-en-buurten-{year}/ogc/v1`` (listed on
#: https://www.pdok.nl/ogc-apis/-/article/cbs-wijken-en-buurten for 2023, 2024, 2025; 2022
#: exists too). Older years are in ``wijken-en-buurten-historisch``; pass ``items_url=``.
PDOK_BASE = "https://api.pdok.nl/cbs"

#: CBS open data, OData v3 *bulk feed* (pages of 10,000 rows with ``odata.nextLink``).
#: The ``ODataApi`` flavour caps results at 10,000 rows without paging, hence the feed.
CBS_ODATA_BASE = "https://opendata.cbs.nl/ODataFeed/odata"

#: OGC CRS URI of RD New, sent as ``crs=`` and expected back in the ``Content-Crs`` header.
RD_NEW_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

#: The ``crs`` member written into the GeoJSON; GDAL (and so geopandas) reads it as EPSG:28992.
GEOJSON_CRS_MEMBER = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}

#: mixing level -> PDOK collection id.
PDOK_COLLECTIONS = {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten"}

#: StatLine table "Kerncijfers wijken en buurten" per reference year (1 January). The one
#: place these ids live; each id was cross-checked in several public projects that query
#: opendata.cbs.nl (and 2019 against shared/data/cbs/PROVENANCE.md). 2025 (86165NED) is seen
#: on the OData v4 portal (datasets.cbs.nl) but was not verified on the v3 feed used here,
#: so it is not listed: pass ``table_id="86165NED"`` to try it.
KERNCIJFERS_TABLES: dict[int, str] = {
    2014: "82931NED",
    2015: "83220NED",
    2016: "83487NED",
    2017: "83765NED",
    2018: "84286NED",
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
}

_MUNICIPALITY = re.compile(r"^GM\d{4}$")
_TABLE_ID = re.compile(r"^\d{5}[A-Z]{3}$")
_USER_AGENT = f"mixing/{__version__} (Python urllib; CBS open data download)"
_TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_NETWORK_FIX = "check your network, or try again later"
_MAX_DELAY = 60.0


class DownloadError(InputError):
    """A download failed: the message names the URL, the HTTP status (if any) and the fix.

    Attributes
    ----------
    url : str
        The URL that failed (also in ``file``).
    status : int or None
        HTTP status of the last attempt, None for network errors and bad content.
    attempts : int
        How many attempts were made.
    """

    def __init__(
        self,
        problem: str,
        *,
        url: str,
        status: int | None = None,
        attempts: int = 1,
        fix: str | None = None,
    ) -> None:
        self.url = url
        self.status = status
        self.attempts = attempts
        super().__init__(problem, file=url, fix=fix)


class _Transient(Exception):
    """A failure worth retrying; carries the status (if any) for the final message."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


# --------------------------------------------------------------------------------------------
# HTTP with retries
# --------------------------------------------------------------------------------------------


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:  # an HTTP date; the exponential backoff is good enough
        return None


def _read_json(url: str, *, accept: str, timeout: float) -> tuple[Any, http.client.HTTPMessage]:
    """One attempt: GET ``url`` and parse JSON; raise _Transient for anything worth retrying."""
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            # read() raises IncompleteRead when fewer bytes arrive than Content-Length says.
            # A page is bounded like an unpacked file: by its stated length, else by reading
            # one byte past the limit.
            limit = limits.MAX_UNPACKED_BYTES
            length = response.length
            if length is not None and length > limit:
                raise _too_large(url)
            body = response.read() if length is not None else response.read(limit + 1)
            headers = response.headers
    except urllib.error.HTTPError as err:
        detail = ""
        try:
            detail = err.read(500).decode("utf-8", "replace").strip()
        except Exception:  # the body only decorates the message
            pass
        finally:
            err.close()
        reason = f"HTTP {err.code} {err.reason}" + (f": {detail[:200]}" if detail else "")
        if err.code in _TRANSIENT_STATUS:
            wait = _retry_after(err.headers.get("Retry-After"))
            raise _Transient(reason, err.code, wait) from err
        raise DownloadError(reason, url=url, status=err.code, fix=_client_fix(err.code)) from err
    except http.client.IncompleteRead as err:
        raise _Transient(
            f"truncated response ({len(err.partial)} bytes read, {err.expected} more expected)"
        ) from err
    except TimeoutError as err:  # socket.timeout is an alias since 3.10
        raise _Transient(f"timed out after {timeout:g} s") from err
    except urllib.error.URLError as err:
        raise _Transient(f"network error: {err.reason}") from err
    except (ConnectionError, http.client.HTTPException, OSError) as err:
        raise _Transient(f"connection error: {err!r}") from err
    if len(body) > limits.MAX_UNPACKED_BYTES:
        raise _too_large(url)
    try:
        return json.loads(body), headers
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _Transient(f"invalid or truncated JSON ({len(body)} bytes): {err}") from err


def _too_large(url: str) -> DownloadError:
    return DownloadError(
        f"the server sends more than {limits.size(limits.MAX_UNPACKED_BYTES)} for one page; "
        "refused before reading it", url=url,
        fix="check base_url (PDOK and CBS pages are a few MB), or lower page_size")


def _client_fix(status: int) -> str:
    if status == 404:
        return (
            "check the year and the URL: the dataset or table may not be published for that "
            "year (PDOK has one API per year from 2022, older years are in "
            "wijken-en-buurten-historisch; pass items_url= or table_id= explicitly)"
        )
    if status == 400:
        return "the server rejected the query; check the municipality code and parameters"
    return "check the URL and parameters; this is not a temporary failure"


def _get_json(
    url: str,
    *,
    accept: str,
    retries: int,
    backoff: float,
    timeout: float,
    check: Callable[[Any, http.client.HTTPMessage], None] | None = None,
) -> tuple[Any, http.client.HTTPMessage]:
    """GET JSON with up to ``retries`` attempts and exponential backoff on transient failures.

    ``check`` validates a parsed page and may raise :class:`_Transient` (for example when
    ``numberReturned`` disagrees with the features actually received).
    """
    if retries < 1:
        raise ValueError(f"retries must be >= 1, got {retries!r}")
    last: _Transient | None = None
    for attempt in range(1, retries + 1):
        try:
            data, headers = _read_json(url, accept=accept, timeout=timeout)
            if check is not None:
                check(data, headers)
            return data, headers
        except _Transient as err:
            last = err
            if attempt == retries:
                break
            delay = min(backoff * 2 ** (attempt - 1), _MAX_DELAY)
            if err.retry_after is not None and backoff > 0:
                delay = min(max(delay, err.retry_after), _MAX_DELAY)
            logger.warning(
                "attempt %d/%d failed (%s) for %s; retrying in %.1f s",
                attempt, retries, err, url, delay,
            )
            if delay > 0:
                time.sleep(delay)
        except DownloadError as err:
            err.attempts = attempt
            raise
    assert last is not None
    raise DownloadError(
        f"giving up after {retries} attempts; last error: {last}",
        url=url,
        status=last.status,
        attempts=retries,
        fix=f"{_NETWORK_FIX} (the server may be overloaded or down)",
    ) from last


def _with_query(url: str, params: dict[str, str]) -> str:
    """Append ``params`` to ``url`` (which may already carry a query)."""
    # %20 for spaces (not '+'), and URIs/OData syntax left readable, as in the PDOK/CBS docs
    query = urllib.parse.urlencode(params, safe="/:,'$()", quote_via=urllib.parse.quote)
    return f"{url}{'&' if '?' in url else '?'}{query}"


# --------------------------------------------------------------------------------------------
# Cache and integrity
# --------------------------------------------------------------------------------------------


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def verify_cached(path: str | Path) -> bool:
    """True when ``path`` and its sidecar ``{path}.json`` exist and the sha256 matches.

    Logs the reason (debug for a plain miss, warning for a corrupted file) when it is not.
    """
    path = Path(path)
    sidecar = _sidecar(path)
    if not path.is_file() or not sidecar.is_file():
        logger.debug("cache miss: %s (file or sidecar absent)", path)
        return False
    try:
        expected = json.loads(sidecar.read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        logger.warning("cache sidecar %s is unreadable; downloading again", sidecar)
        return False
    actual = sha256_file(path)
    if actual != expected:
        logger.warning(
            "cached file %s is corrupted (sha256 %s, sidecar says %s); downloading again",
            path, actual[:12], str(expected)[:12],
        )
        return False
    return True


def _write_cached(path: Path, payload: bytes, meta: dict[str, Any]) -> Path:
    """Write ``payload`` atomically, then its sidecar; a stale sidecar only forces a re-fetch."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)
    meta = {"file": path.name, "sha256": hashlib.sha256(payload).hexdigest(),
            "bytes": len(payload), **meta}
    text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_text(_sidecar(path), text)
    return path


# --------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------


def _check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int | str) or not str(year).isdigit():
        raise InputError("year must be a whole number such as 2023", value=year,
                         fix="pass the CBS reference year, e.g. year=2023")
    value = int(year)
    if not 1995 <= value <= 2100:
        raise InputError("year is outside the CBS wijken-en-buurten range", value=year,
                         fix="pass a year from 1995 on, e.g. year=2023")
    return value


def _check_municipality(municipality: object) -> str:
    if not isinstance(municipality, str) or not _MUNICIPALITY.match(municipality):
        raise InputError(
            "municipality must be a CBS code such as GM0518", value=municipality,
            fix="use the GM code of the municipality in that year (demo codes cannot be "
            "downloaded)",
        )
    return municipality


def _check_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"{name} must be a non-negative number", value=value)


# --------------------------------------------------------------------------------------------
# PDOK OGC API Features: wijken en buurten
# --------------------------------------------------------------------------------------------


def wijkenbuurten_url(year: int, level: str = "buurt", *, base_url: str = PDOK_BASE) -> str:
    """The PDOK OGC API Features ``items`` URL of a year and level.

    ``{base_url}/wijken-en-buurten-{year}/ogc/v1/collections/{buurten|wijken|gemeenten}/items``,
    e.g. https://api.pdok.nl/cbs/wijken-en-buurten-2023/ogc/v1/collections/buurten/items.
    """
    if level not in PDOK_COLLECTIONS:
        raise InputError(f"unknown level; valid levels are {list(PDOK_COLLECTIONS)}",
                         value=level, fix="use level='buurt', 'wijk' or 'gemeente'")
    return (f"{base_url.rstrip('/')}/wijken-en-buurten-{_check_year(year)}/ogc/v1/collections/"
            f"{PDOK_COLLECTIONS[level]}/items")


def _normalise_crs(value: str) -> str:
    return value.strip().strip("<>").strip().rstrip("/").replace("https://", "http://")


def _ogc_next(page: dict, base: str) -> str | None:
    """The ``rel="next"`` link of an OGC API page; an empty page ends paging regardless."""
    links = page.get("links")
    if not page.get("features") or not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return urllib.parse.urljoin(base, str(link["href"]))
    return None


def _check_ogc_page(data: Any, headers: http.client.HTTPMessage) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise _Transient("response is not a GeoJSON FeatureCollection with a 'features' list")
    returned = data.get("numberReturned")
    if isinstance(returned, int) and returned != len(data["features"]):
        raise _Transient(
            f"numberReturned is {returned} but {len(data['features'])} features arrived"
        )


def download_wijkenbuurten(year: int, municipality: str, *, level: str = "buurt",
                           cache_dir: str | Path = "data/raw/cbs",
                           base_url: str = PDOK_BASE, items_url: str | None = None,
                           force: bool = False, page_size: int = 1000, max_pages: int = 200,
                           retries: int = 5, backoff: float = 1.0,
                           timeout: float = 60.0) -> Path:
    """Download the CBS wijk/buurt boundaries of one municipality from PDOK as GeoJSON.

    Pages through the OGC API Features ``items`` endpoint of the CBS *wijken en buurten*
    dataset of ``year`` and writes one FeatureCollection to
    ``{cache_dir}/{year}/{municipality}_{level}.geojson`` (EPSG:28992) plus a sidecar
    ``.json`` with its sha256 and the page URLs. A verified cached file is returned without
    any request.

    Parameters
    ----------
    year : int
        CBS reference year of the boundaries (the dataset ``wijken-en-buurten-{year}``).
    municipality : str
        CBS municipality code, e.g. ``"GM0518"`` (Den Haag); sent as the ``gemeentecode``
        property filter.
    level : {"buurt", "wijk", "gemeente"}
        Collection to fetch: ``buurten``, ``wijken`` or ``gemeenten``.
    cache_dir : path
        Root of the raw-data cache.
    base_url : str
        Root of the PDOK CBS services; tests point it at a local server.
    items_url : str, optional
        Full ``.../collections/{id}/items`` URL overriding ``base_url``/``year``/``level``,
        e.g. for the ``wijken-en-buurten-historisch`` API or a mirror.
    force : bool
        Download even when a verified cached file exists.
    page_size : int
        ``limit`` per request; PDOK serves at most 1000.
    max_pages : int
        Hard bound on the number of pages (and so on time and memory).
    retries : int
        Attempts per page for transient failures (5xx, 408, 429, reset, timeout, truncated
        or invalid JSON). Other 4xx fail at once.
    backoff : float
        First retry delay in seconds, doubled per attempt (capped at 60 s). 0 in tests.
    timeout : float
        Socket timeout per request, seconds.

    Returns
    -------
    pathlib.Path
        The GeoJSON file. ``geopandas.read_file`` reads it in EPSG:28992.

    Raises
    ------
    DownloadError
        With the URL, the HTTP status and what to do, when a page cannot be fetched, when
        the pages disagree with ``numberMatched``, repeat a feature, contain features of
        another municipality, or when nothing matches.
    InputError
        For an invalid year, municipality or level.

    Notes
    -----
    Endpoint (PDOK, https://www.pdok.nl/ogc-apis/-/article/cbs-wijken-en-buurten)::

        GET https://api.pdok.nl/cbs/wijken-en-buurten-{year}/ogc/v1/collections/buurten/items
            ?f=json&limit=1000&gemeentecode=GM0518
            &crs=http://www.opengis.net/def/crs/EPSG/0/28992

    Paging follows OGC API - Features Part 1: each page has ``links`` with ``rel="next"``
    (an absolute URL with a cursor) until the last page; ``numberReturned`` counts the page
    and ``numberMatched`` the total, when the server gives it. CRS follows OGC API - Features
    Part 2: ``crs=`` asks for RD New and the server confirms it in the ``Content-Crs``
    header (``<http://www.opengis.net/def/crs/EPSG/0/28992>``). We request RD New, because
    every distance and area in ``mixing`` is in EPSG:28992 and this avoids a second
    reprojection; plain GeoJSON (RFC 7946) has no CRS, so the file carries the legacy
    ``"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}``
    member, which GDAL/geopandas honour. Per-year APIs exist from 2022 on (2022-2025 found);
    earlier years are in ``wijken-en-buurten-historisch``, whose layout is not wired here:
    pass its items URL as ``items_url``.

    Examples
    --------
    >>> path = download_wijkenbuurten(2023, "GM0518")  # doctest: +SKIP
    >>> geopandas.read_file(path).crs  # doctest: +SKIP
    <Projected CRS: EPSG:28992>
    """
    year = _check_year(year)
    municipality = _check_municipality(municipality)
    collection_url = wijkenbuurten_url(year, level, base_url=base_url)  # also checks level
    collection_url = items_url or collection_url
    for name, value in (("backoff", backoff), ("timeout", timeout)):
        _check_positive(name, value)
    if page_size < 1 or max_pages < 1:
        raise InputError("page_size and max_pages must be >= 1",
                         value=(page_size, max_pages))
    target = Path(cache_dir) / str(year) / f"{municipality}_{level}.geojson"
    if not force and verify_cached(target):
        logger.info("using cached %s (sha256 verified)", target)
        return target

    first = _with_query(collection_url, {
        "f": "json", "limit": str(page_size), "gemeentecode": municipality, "crs": RD_NEW_URI,
    })
    features, urls = _page_ogc(first, municipality, max_pages=max_pages, retries=retries,
                               backoff=backoff, timeout=timeout)
    collection = {
        "type": "FeatureCollection",
        "name": f"{municipality}_{level}_{year}",
        "crs": GEOJSON_CRS_MEMBER,
        "features": features,
    }
    payload = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    meta = {
        "source": "PDOK OGC API Features, CBS wijken en buurten",
        "urls": urls,
        "year": year,
        "municipality": municipality,
        "level": level,
        "collection": PDOK_COLLECTIONS.get(level),
        "crs": "EPSG:28992",
        "feature_count": len(features),
    }
    _write_cached(target, payload, meta)
    logger.info("wrote %s (%d features, %d pages)", target, len(features), len(urls))
    return target


def _page_ogc(
    url: str, municipality: str, *, max_pages: int, retries: int, backoff: float, timeout: float,
) -> tuple[list[dict], list[str]]:
    features: list[dict] = []
    urls: list[str] = []
    seen_ids: set[object] = set()
    matched: int | None = None
    pages = _follow(url, next_of=_ogc_next, check=_check_ogc_page,
                    accept="application/geo+json, application/json", max_pages=max_pages,
                    retries=retries, backoff=backoff, timeout=timeout)
    for page, headers, page_url in pages:
        urls.append(page_url)
        content_crs = headers.get("Content-Crs")
        if content_crs and _normalise_crs(content_crs) != _normalise_crs(RD_NEW_URI):
            raise DownloadError(
                f"asked for RD New but the server answered in {content_crs.strip()}",
                url=page_url, fix="check that the collection offers EPSG:28992 (its 'crs' list)",
            )
        if isinstance(page.get("numberMatched"), int):
            matched = page["numberMatched"]
        for feature in page["features"]:
            props = feature.get("properties") or {}
            code = props.get("gemeentecode")
            if code is not None and str(code).strip() != municipality:
                raise DownloadError(
                    f"the server returned a feature of {str(code).strip()} although "
                    f"gemeentecode={municipality} was asked",
                    url=page_url, fix="the gemeentecode filter was ignored; check the API "
                    "version or pass items_url= for a service that supports it",
                )
            fid = feature.get("id")
            if fid is not None:
                if fid in seen_ids:
                    raise DownloadError(f"feature {fid!r} arrived twice while paging",
                                        url=page_url, fix="try again later")
                seen_ids.add(fid)
            features.append(feature)
        logger.info("page %d: %d/%s features", len(urls), len(features),
                    matched if matched is not None else "?")
    if matched is not None and matched != len(features):
        raise DownloadError(
            f"numberMatched is {matched} but {len(features)} features were received",
            url=urls[0], fix="try again later (the data may have changed while paging)",
        )
    if not features:
        raise DownloadError(
            f"no features match gemeentecode={municipality}", url=urls[0],
            fix="check that the municipality existed in that year (municipalities merge "
            "every year) and that the code is right",
        )
    return features, urls


# --------------------------------------------------------------------------------------------
# CBS OData: kerncijfers wijken en buurten
# --------------------------------------------------------------------------------------------


def _odata_url(table_id: str, entity: str, key: str, municipality: str, base_url: str) -> str:
    """The JSON of ``entity`` of a table, the rows whose ``key`` is of ``municipality``."""
    municipality = _check_municipality(municipality)
    if not _TABLE_ID.match(str(table_id)):
        raise InputError("table_id must look like 84583NED", value=table_id)
    return _with_query(f"{base_url.rstrip('/')}/{table_id}/{entity}", {
        "$format": "json",
        "$filter": f"substring({key},2,4) eq '{municipality[2:]}'",
    })


def kerncijfers_url(table_id: str, municipality: str, *, base_url: str = CBS_ODATA_BASE) -> str:
    """The OData ``TypedDataSet`` URL selecting one municipality's GM, WK and BU rows.

    ``{base_url}/{table_id}/TypedDataSet?$format=json&$filter=substring(WijkenEnBuurten,2,4)
    eq '0518'``: the key dimension ``WijkenEnBuurten`` holds ``GM0518``, ``WK051801``,
    ``BU05180170`` (space padded), so characters 2-5 (0-based offset 2, length 4) are the
    municipality digits at every level. This is the filter StatLine itself generates.
    """
    return _odata_url(table_id, "TypedDataSet", "WijkenEnBuurten", municipality, base_url)


def region_names_url(table_id: str, municipality: str, *,
                     base_url: str = CBS_ODATA_BASE) -> str:
    """The OData URL of the ``WijkenEnBuurten`` dimension (Key, Title) of one municipality.

    ``{base_url}/{table_id}/WijkenEnBuurten?$format=json&$filter=substring(Key,2,4) eq
    '0518'``: the dimension lists every region of the table with its ``Key`` (the code,
    space padded, as in ``TypedDataSet``) and ``Title`` (the buurt, wijk or gemeente name).
    """
    return _odata_url(table_id, "WijkenEnBuurten", "Key", municipality, base_url)


#: Header of the column with the region names that :func:`download_kerncijfers` adds.
NAMES_COLUMN = "Regionaam"


def _check_odata_page(data: Any, headers: http.client.HTTPMessage) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise _Transient("response is not an OData page with a 'value' list")


def _odata_next(page: dict, url: str) -> str | None:
    link = page.get("odata.nextLink")
    return urllib.parse.urljoin(url, str(link)) if link else None


def _csv_cell(value: object) -> str:
    """OData JSON -> StatLine CSV cell: null is CBS's '.', numbers in plain notation."""
    if value is None:
        return "."
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def download_kerncijfers(year: int, municipality: str, *,
                         cache_dir: str | Path = "data/raw/cbs",
                         base_url: str = CBS_ODATA_BASE, table_id: str | None = None,
                         force: bool = False, max_pages: int = 50, retries: int = 5,
                         backoff: float = 1.0, timeout: float = 120.0) -> Path:
    """Download one municipality's CBS *Kerncijfers wijken en buurten* as a StatLine CSV.

    Fetches the gemeente, wijk and buurt rows of ``municipality`` from the table of
    ``year`` and writes ``{cache_dir}/{year}/{municipality}_kerncijfers_{table}.csv``:
    ``;``-separated, every field double-quoted, UTF-8 with BOM, the OData ``Name_N`` keys as
    header (``ID;WijkenEnBuurten;Regionaam;Gemeentenaam_1;SoortRegio_2;Codering_3;...``),
    missing values as ``.`` -- the layout of the files in ``shared/data/cbs``, plus the
    region names (``Regionaam``, the ``Title`` of the table's ``WijkenEnBuurten``
    dimension, :func:`region_names_url`), so maps and tables show buurt names. A sidecar
    ``.json`` records the sha256, URLs and row count.

    Parameters
    ----------
    year : int
        Reference year; selects the table from :data:`KERNCIJFERS_TABLES` (2014-2024).
    municipality : str
        CBS municipality code, e.g. ``"GM0518"``.
    cache_dir : path
        Root of the raw-data cache.
    base_url : str
        OData v3 root; tests point it at a local server.
    table_id : str, optional
        StatLine table id overriding the per-year table, e.g. ``"86165NED"``.
    force, max_pages, retries, backoff, timeout
        As in :func:`download_wijkenbuurten`.

    Returns
    -------
    pathlib.Path
        The CSV file.

    Raises
    ------
    DownloadError
        When a page cannot be fetched or no row matches the municipality.
    InputError
        For an unknown year (with the known ones listed) or invalid codes.

    Notes
    -----
    Endpoint (CBS open data, OData v3 bulk feed; paging as in the ``cbsodata`` client)::

        GET https://opendata.cbs.nl/ODataFeed/odata/{table}/TypedDataSet
            ?$format=json&$filter=substring(WijkenEnBuurten,2,4) eq '0518'

    Each page is ``{"odata.metadata": ..., "value": [...], "odata.nextLink": ...}``; the
    next link is followed until absent. Typed values are JSON numbers, strings keep CBS's
    space padding, hidden or missing values are ``null`` (written as ``.``, as StatLine
    exports do). Columns are written in the order the service sends them.

    Examples
    --------
    >>> download_kerncijfers(2019, "GM0518")  # doctest: +SKIP
    PosixPath('data/raw/cbs/2019/GM0518_kerncijfers_84583NED.csv')
    """
    year = _check_year(year)
    municipality = _check_municipality(municipality)
    if table_id is None:
        if year not in KERNCIJFERS_TABLES:
            raise InputError(
                f"no kerncijfers table known for {year}; known years are "
                f"{sorted(KERNCIJFERS_TABLES)}", value=year,
                fix="pass table_id= with the StatLine id of 'Kerncijfers wijken en buurten "
                f"{year}'",
            )
        table_id = KERNCIJFERS_TABLES[year]
    for name, value in (("backoff", backoff), ("timeout", timeout)):
        _check_positive(name, value)
    if max_pages < 1:
        raise InputError("max_pages must be >= 1", value=max_pages)
    first = kerncijfers_url(table_id, municipality, base_url=base_url)
    target = Path(cache_dir) / str(year) / f"{municipality}_kerncijfers_{table_id}.csv"
    if not force and verify_cached(target):
        logger.info("using cached %s (sha256 verified)", target)
        return target

    rows, urls = _page_odata(first, max_pages=max_pages, retries=retries, backoff=backoff,
                             timeout=timeout)
    if not rows:
        raise DownloadError(
            f"no rows of {municipality} in table {table_id}", url=first,
            fix="check that the municipality existed in that year (municipalities merge "
            "every year) and that table_id belongs to the year",
        )
    names_url = region_names_url(table_id, municipality, base_url=base_url)
    dimension, name_urls = _page_odata(names_url, max_pages=max_pages, retries=retries,
                                       backoff=backoff, timeout=timeout)
    names = {str(r.get("Key", "")).strip(): str(r.get("Title", "")).strip()
             for r in dimension if r.get("Title")}
    header = list(dict.fromkeys(key for row in rows for key in row))
    rows = [dict(row, **{NAMES_COLUMN: names.get(str(row.get("WijkenEnBuurten", "")).strip())})
            for row in rows]
    # The names go beside the codes they name (WijkenEnBuurten), as StatLine shows them.
    at = header.index("WijkenEnBuurten") + 1 if "WijkenEnBuurten" in header else len(header)
    header.insert(at, NAMES_COLUMN)
    unnamed = sum(1 for row in rows if row[NAMES_COLUMN] is None)
    if unnamed:
        logger.warning("%d of %d regions have no name in %s", unnamed, len(rows), names_url)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(row.get(key)) for key in header])
    payload = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    meta = {
        "source": "CBS open data OData v3, Kerncijfers wijken en buurten",
        "urls": urls,
        "year": year,
        "municipality": municipality,
        "table_id": table_id,
        "row_count": len(rows),
        "columns": len(header),
        "names_urls": name_urls,
        "named_rows": len(rows) - unnamed,
    }
    _write_cached(target, payload, meta)
    logger.info("wrote %s (%d rows, %d columns, %d pages)", target, len(rows), len(header),
                len(urls))
    return target


def _page_odata(
    url: str, *, max_pages: int, retries: int, backoff: float, timeout: float,
) -> tuple[list[dict], list[str]]:
    rows: list[dict] = []
    urls: list[str] = []
    total: int | None = None
    pages = _follow(url, next_of=_odata_next, check=_check_odata_page, accept="application/json",
                    max_pages=max_pages, retries=retries, backoff=backoff, timeout=timeout)
    for page, _, page_url in pages:
        urls.append(page_url)
        if "odata.count" in page:
            try:
                total = int(page["odata.count"])
            except (TypeError, ValueError):
                total = None
        rows.extend(r for r in page["value"] if isinstance(r, dict))
        logger.info("page %d: %d/%s rows", len(urls), len(rows),
                    total if total is not None else "?")
    if total is not None and total != len(rows):
        raise DownloadError(f"odata.count is {total} but {len(rows)} rows were received",
                            url=url, fix="try again later")
    return rows, urls


def _follow(
    url: str,
    *,
    next_of: Callable[[dict, str], str | None],
    check: Callable[[Any, http.client.HTTPMessage], None],
    accept: str,
    max_pages: int,
    retries: int,
    backoff: float,
    timeout: float,
) -> Iterator[tuple[dict, http.client.HTTPMessage, str]]:
    """Yield ``(page, headers, url)`` following next links, at most ``max_pages`` pages."""
    seen: set[str] = set()
    next_url: str | None = url
    while next_url is not None:
        if len(seen) >= max_pages:
            raise DownloadError(f"more than max_pages={max_pages} pages", url=next_url,
                                fix="raise max_pages (or page_size), or check the filter")
        if next_url in seen:
            raise DownloadError("the server's next link points back to a page already read",
                                url=next_url, fix="try again later")
        seen.add(next_url)
        page, headers = _get_json(next_url, accept=accept, retries=retries, backoff=backoff,
                                  timeout=timeout, check=check)
        yield page, headers, next_url
        next_url = next_of(page, next_url)
