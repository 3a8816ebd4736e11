"""A local stand-in for PDOK's OGC API Features and CBS's OData feed, built from shared files.

Serves, on 127.0.0.1 and an ephemeral port:

* ``/wijken-en-buurten-2019/ogc/v1/collections/buurten/items`` -- GeoJSON pages of the 2019
  buurten of Den Haag (GM0518) and Amsterdam (GM0363), geometry from
  ``buurt_2019_nl_topojson/buurten.json``, PDOK-style snake_case properties joined from the
  2019 kerncijfers CSVs. Honours ``limit`` (capped at ``max_limit``, as PDOK caps at 1000),
  ``gemeentecode``, ``crs`` (RD New or CRS84, echoed in ``Content-Crs``) and an ``offset``
  cursor in the ``rel="next"`` link.
* ``/{table}/WijkenEnBuurten`` -- the region dimension (``Key``, ``Title``), filtered with
  ``substring(Key,2,4) eq '0518'``; titles are made up (``Buurt 0170``, ``Wijk 01``; the
  shared files carry no names), the gemeente's title is its ``Gemeentenaam_1``.
* ``/{table}/TypedDataSet`` -- OData v3 JSON pages ``{"value": [...], "odata.nextLink": ...}``
  of the same CSV rows, filtered with ``substring(WijkenEnBuurten,2,4) eq '0518'`` (anything
  else is a 400, so the client must send the real filter).

Faults are injected per route: ``server.faults["ogc"] = [None, "503", None]`` makes the
second OGC request fail with 503 and the others succeed; once the list is used up every
request is served normally. Every request is recorded in ``server.hits``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import mapping

RD_NEW_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
KWB = "kwb_odata_denhaag_amsterdam_utrecht/data"
CSV_FILES = {
    "GM0518": f"{KWB}/marginal_distributions_TheHague_2019_84583NED.csv",
    "GM0363": f"{KWB}/ams_2019/marginal_distributions_84583NED.csv",
}
_OGC = re.compile(r"^/wijken-en-buurten-(\d{4})/ogc/v1/collections/([a-z]+)/items$")
_ODATA = re.compile(r"^/(\d{5}[A-Z]{3})/(TypedDataSet|WijkenEnBuurten)$")
_FILTER = re.compile(r"^substring\(WijkenEnBuurten,2,4\) eq '(\d{4})'$")
_KEY_FILTER = re.compile(r"^substring\(Key,2,4\) eq '(\d{4})'$")


def read_kwb_csv(path: Path) -> pd.DataFrame:
    """A StatLine CSV as strings, exactly as stored (padding kept, no NaN conversion)."""
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def region_title(row: dict) -> str:
    """The made-up ``Title`` of a region in the served ``WijkenEnBuurten`` dimension."""
    code = str(row["WijkenEnBuurten"]).strip()
    if code.startswith("GM"):
        return str(row["Gemeentenaam_1"]).strip()
    return f"Buurt {code[-4:]}" if code.startswith("BU") else f"Wijk {code[-2:]}"


def _typed(raw: str) -> object:
    """StatLine CSV cell -> the value the OData TypedDataSet would carry."""
    text = raw.strip()
    if text == ".":
        return None
    try:
        number = int(text)
        if str(number) == text:
            return number
    except ValueError:
        pass
    try:
        number = float(text)
        if repr(number) == text:
            return number
    except ValueError:
        pass
    return raw


@dataclass
class CBSData:
    """Everything the server serves, built once per test session."""

    features_rd: list[dict]  # EPSG:28992 coordinates
    features_wgs: list[dict]  # CRS84 coordinates
    rows: list[dict]  # OData TypedDataSet records
    csv: dict[str, pd.DataFrame]  # municipality -> source CSV (strings)


def build_data(cbs_dir: Path) -> CBSData:
    csv = {gm: read_kwb_csv(cbs_dir / rel) for gm, rel in CSV_FILES.items()}
    rows = [
        {key: _typed(value) for key, value in record.items()}
        for frame in csv.values()
        for record in frame.to_dict("records")
    ]
    buurten = gpd.read_file(cbs_dir / "buurt_2019_nl_topojson/buurten.json").set_crs(4326)
    buurten = buurten[buurten["statcode"].str[:6].isin(["BU0518", "BU0363"])]
    attrs = pd.concat(csv.values())
    attrs = attrs.assign(code=attrs["Codering_3"].str.strip()).set_index("code")
    props = []
    for code in buurten["statcode"]:
        row = attrs.loc[code]
        props.append({
            "buurtcode": code,
            "buurtnaam": f"Buurt {code[-2:]}",  # the shared files carry no names
            "wijkcode": "WK" + code[2:8],
            "gemeentecode": "GM" + code[2:6],
            "gemeentenaam": row["Gemeentenaam_1"].strip(),
            "jaar": 2019,
            "water": "NEE",
            "aantal_inwoners": int(row["AantalInwoners_5"]),
            "aantal_huishoudens": _typed(row["HuishoudensTotaal_28"]),
        })
    rd = buurten.to_crs(28992)

    def features(frame: gpd.GeoDataFrame) -> list[dict]:
        out = []
        for i, (geom, prop) in enumerate(zip(frame.geometry, props, strict=True)):
            out.append({
                "type": "Feature",
                "id": f"buurten.{i}",
                "properties": dict(prop),
                "geometry": json.loads(json.dumps(mapping(geom))),  # tuples -> lists
            })
        return out

    return CBSData(features(rd), features(buurten), rows, csv)


@dataclass
class CBSServer:
    data: CBSData
    max_limit: int = 40  # features per OGC page (PDOK: 1000)
    odata_page: int = 60  # rows per OData page (CBS feed: 10,000)
    number_matched: bool = True  # PDOK's gokoala may omit numberMatched; test both
    ignore_filter: bool = False  # a broken server that ignores gemeentecode
    faults: dict[str, list[str | None]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> CBSServer:
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        # a short poll interval keeps shutdown (once per test) fast
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, kind: str | None = None) -> int:
        with self.lock:
            return sum(1 for h in self.hits if kind is None or h.startswith(kind + " "))

    def next_fault(self, kind: str) -> str | None:
        with self.lock:
            queue = self.faults.get(kind)
            return queue.pop(0) if queue else None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # injected faults (reset, slow) end in broken pipes on purpose


class _Handler(BaseHTTPRequestHandler):
    server_state: CBSServer

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        state = self.server_state
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        ogc, odata = _OGC.match(parsed.path), _ODATA.match(parsed.path)
        kind = ("ogc" if ogc else "other" if not odata
                else "names" if odata.group(2) == "WijkenEnBuurten" else "odata")
        with state.lock:
            state.hits.append(f"{kind} {self.path}")
        fault = state.next_fault(kind)
        if fault is not None and self._fault(fault):
            return
        if ogc:
            self._ogc(ogc.group(1), ogc.group(2), query)
        elif odata:
            if odata.group(2) == "WijkenEnBuurten":
                self._dimension(odata.group(1), query)
            else:
                self._odata(odata.group(1), query)
        else:
            self._send(404, {"title": "Not Found", "detail": f"no route {parsed.path}"})

    # -- faults -----------------------------------------------------------------------------

    def _fault(self, fault: str) -> bool:
        if fault.isdigit():
            status = int(fault)
            headers = {"Retry-After": "0"} if status in (429, 503) else {}
            self._send(status, {"title": "injected", "status": status}, headers=headers)
            return True
        if fault == "reset":  # close without any response: RemoteDisconnected
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        if fault == "slow":  # longer than the client's timeout
            time.sleep(1.0)
            return False
        if fault in ("truncate", "badjson"):
            self._pending = fault  # applied to the next normal response
            return False
        raise ValueError(f"unknown fault {fault!r}")

    # -- routes -----------------------------------------------------------------------------

    def _ogc(self, year: str, collection: str, query: dict[str, str]) -> None:
        state = self.server_state
        if year != "2019" or collection != "buurten":
            self._send(404, {"title": "Not Found", "detail": f"no collection {collection} "
                             f"in wijken-en-buurten-{year}"})
            return
        if query.get("f") != "json":
            self._send(400, {"title": "Bad Request", "detail": "f=json expected"})
            return
        crs = query.get("crs", CRS84_URI)
        if crs not in (RD_NEW_URI, CRS84_URI):
            self._send(400, {"title": "Bad Request", "detail": f"unsupported crs {crs}"})
            return
        source = state.data.features_rd if crs == RD_NEW_URI else state.data.features_wgs
        code = query.get("gemeentecode")
        if code and not state.ignore_filter:
            source = [f for f in source if f["properties"]["gemeentecode"] == code]
        limit = min(int(query.get("limit", "10")), state.max_limit)
        offset = int(query.get("offset", "0"))
        page = source[offset:offset + limit]
        base = f"{state.url}{urllib.parse.urlsplit(self.path).path}"
        links = [{"rel": "self", "type": "application/geo+json",
                  "href": f"{base}?{urllib.parse.urlencode(query)}"}]
        if offset + limit < len(source):
            nxt = dict(query, offset=str(offset + limit))
            links.append({"rel": "next", "type": "application/geo+json",
                          "href": f"{base}?{urllib.parse.urlencode(nxt)}"})
        body = {"type": "FeatureCollection", "timeStamp": "2024-01-01T00:00:00Z",
                "links": links, "numberReturned": len(page), "features": page}
        if state.number_matched:
            body["numberMatched"] = len(source)
        self._send(200, body, content_type="application/geo+json",
                   headers={"Content-Crs": f"<{crs}>"})

    def _odata(self, table: str, query: dict[str, str]) -> None:
        state = self.server_state
        if table != "84583NED":
            self._send(404, {"odata.error": {"message": {"value": f"unknown table {table}"}}})
            return
        match = _FILTER.match(query.get("$filter", ""))
        if query.get("$format") != "json" or not match:
            self._send(400, {"odata.error": {"message": {"value": "bad $filter/$format"}}})
            return
        rows = [r for r in state.data.rows if r["WijkenEnBuurten"][2:6] == match.group(1)]
        skip = int(query.get("$skiptoken", "0"))
        body: dict = {"odata.metadata": f"{state.url}/{table}/$metadata#{table}/TypedDataSet",
                      "value": rows[skip:skip + state.odata_page]}
        if skip + state.odata_page < len(rows):
            nxt = dict(query, **{"$skiptoken": str(skip + state.odata_page)})
            body["odata.nextLink"] = (f"{state.url}/{table}/TypedDataSet?"
                                      f"{urllib.parse.urlencode(nxt)}")
        self._send(200, body)

    def _dimension(self, table: str, query: dict[str, str]) -> None:
        state = self.server_state
        match = _KEY_FILTER.match(query.get("$filter", ""))
        if table != "84583NED" or query.get("$format") != "json" or not match:
            self._send(400, {"odata.error": {"message": {"value": "bad $filter/$format"}}})
            return
        rows = [r for r in state.data.rows if r["WijkenEnBuurten"][2:6] == match.group(1)]
        self._send(200, {"odata.metadata": f"{state.url}/{table}/$metadata#{table}/"
                         "WijkenEnBuurten", "value": [
                             {"Key": r["WijkenEnBuurten"], "Title": region_title(r),
                              "Description": None, "CategoryGroupID": 1} for r in rows]})

    # -- plumbing ---------------------------------------------------------------------------

    def _send(self, status: int, body: dict, *, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode("utf-8")
        pending = getattr(self, "_pending", None)
        length = len(payload)
        if pending == "badjson":  # consistent Content-Length, but the JSON is cut off
            payload = payload[: len(payload) // 2]
            length = len(payload)
        elif pending == "truncate":  # Content-Length promises more than is sent
            payload = payload[: len(payload) // 2]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()
        self.close_connection = True
