"""Benchmark: LISA (local Moran, 999 permutations) for every buurt of the Netherlands.

Run by hand (not part of the tests)::

    python benchmarks/bench_lisa.py            # both, each in a fresh process
    python benchmarks/bench_lisa.py mixing     # only mixing.kernels.autocorr
    python benchmarks/bench_lisa.py esda       # only esda.Moran_Local per municipality

Units: the 13,594 buurten of the national 2019 layer
(``../shared/data/cbs/buurt_2019_nl_topojson/buurten.json``), municipality = BU code
characters 3-6. Variable: the real 2024 share of residents born outside Europe
(``kwb_statline_nl_2024_bevolking_herkomst``: origin counts in ``*_141648.csv``, row-aligned
with the codes in ``*_geslachten.csv``, PROVENANCE.md section 7) where the 2019 code has
a 2024 row with inhabitants. The rest (Amsterdam recoded every buurt in 2024; merged or
empty buurten) get a **synthetic** share: a Beta(2, 8) draw (mean 0.2) with a fixed seed.
The numbers are for timing, not for interpretation.

Each contender runs in its own fresh Python process; the wall time includes interpreter
start, imports, reading the geometry, building queen weights and the LISA itself.
Peak memory is the child's ``ru_maxrss``.

- ``mixing``: one call, ``local_moran(y, w, groups=municipality)`` with block-diagonal
  weights (``build_weights(..., groups=municipality)``).
- ``esda``: ``esda.Moran_Local(y_g, w_g, permutations=999)`` in a loop over the 355
  municipalities, with libpysal ``W`` objects holding the same neighbours.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CBS = ROOT.parent / "shared" / "data" / "cbs"
PERMUTATIONS = 999
SEED = 20191231


def load():
    """(geometry in EPSG:28992, municipality per unit, y per unit, number of real values)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    geo = gpd.read_file(CBS / "buurt_2019_nl_topojson" / "buurten.json")
    geo = geo.set_crs(4326).to_crs(28992)
    folder = CBS / "kwb_statline_nl_2024_bevolking_herkomst"
    codes = pd.read_csv(folder / "Kerncijfers_wijken_en_buurten_2024_geslachten.csv",
                        sep=";", encoding="utf-8-sig", usecols=[3], dtype=str).iloc[:, 0]
    origin = pd.read_csv(folder / "Kerncijfers_wijken_en_buurten_2024_11122025_141648.csv",
                         sep=";", encoding="utf-8-sig")
    assert len(codes) == len(origin)
    inhabitants = origin.iloc[:, 2].to_numpy(dtype=float)
    outside = origin.iloc[:, 5].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        real = pd.Series(np.where(inhabitants > 0, outside / inhabitants, np.nan),
                         index=codes.str.strip().to_numpy())
    real = real[real.index.str.startswith("BU")]
    y = real.reindex(geo["statcode"]).to_numpy(dtype=float, copy=True)
    known = np.isfinite(y)
    rng = np.random.default_rng(SEED)
    y[~known] = rng.beta(2, 8, size=int((~known).sum()))
    municipality = geo["statcode"].str[2:6].to_numpy()
    return geo, municipality, y, int(known.sum())


def run_mixing() -> dict:
    from mixing.geometry.weights import build_weights
    from mixing.kernels.autocorr import local_moran

    t_import = time.perf_counter()
    geo, municipality, y, n_real = load()
    t_load = time.perf_counter()
    w = build_weights(geo, ids=geo["statcode"].to_numpy(), groups=municipality)
    t_w = time.perf_counter()
    r = local_moran(y, w, groups=municipality, permutations=PERMUTATIONS, seed=SEED)
    t_lisa = time.perf_counter()
    return {
        "units": int(w.n), "real_values": n_real, "groups": int(len(set(municipality))),
        "islands_joined": w.n_islands_joined,
        "load_s": t_load - t_import, "weights_s": t_w - t_load, "lisa_s": t_lisa - t_w,
        "significant": int(r.significant.sum()),
        "significant_fdr": int(r.significant_adjusted.sum()),
    }


def run_esda() -> dict:
    import numpy as np
    from esda import Moran_Local
    from libpysal.weights import W

    from mixing.geometry.weights import build_weights

    t_import = time.perf_counter()
    geo, municipality, y, n_real = load()
    t_load = time.perf_counter()
    w = build_weights(geo, ids=geo["statcode"].to_numpy(), groups=municipality)
    order = np.argsort(municipality, kind="stable")
    bounds = np.flatnonzero(np.r_[True, municipality[order][1:] != municipality[order][:-1], True])
    blocks = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        idx = order[a:b]
        sub = w.binary[idx][:, idx]
        nb = {i: sub.indices[sub.indptr[i]:sub.indptr[i + 1]].tolist() for i in range(idx.size)}
        blocks.append((idx, W(nb, silence_warnings=True)))
    t_w = time.perf_counter()
    significant = 0
    skipped = 0
    for k, (idx, wg) in enumerate(blocks):
        if idx.size < 3:  # esda's analytical moments divide by n - 2
            skipped += 1
            continue
        lm = Moran_Local(y[idx], wg, permutations=PERMUTATIONS, seed=SEED + k)
        significant += int((lm.p_sim <= 0.05).sum())
    t_lisa = time.perf_counter()
    return {
        "units": int(w.n), "real_values": n_real, "groups": len(blocks),
        "load_s": t_load - t_import, "weights_s": t_w - t_load, "lisa_s": t_lisa - t_w,
        "significant": significant, "skipped_groups_below_3_units": skipped,
    }


def child(which: str) -> None:
    import resource
    import warnings

    warnings.simplefilter("ignore")
    out = run_mixing() if which == "mixing" else run_esda()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def fresh(which: str) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", which],
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{which} failed:\n{proc.stderr}")
    wall = time.perf_counter() - start
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child(argv[1])
        return
    which = argv or ["mixing", "esda"]
    results = {}
    for name in which:
        results[name] = r = fresh(name)
        print(f"{name:>6}: wall {r['wall_s']:6.1f} s from cold start "
              f"(load {r['load_s']:.1f} s, weights {r['weights_s']:.1f} s, "
              f"LISA {r['lisa_s']:.1f} s), peak RSS {r['peak_rss_mb']:.0f} MB, "
              f"{r['units']} units in {r['groups']} municipalities "
              f"({r['real_values']} real values), p<=0.05: {r['significant']}")
    if len(results) == 2:
        m, e = results["mixing"], results["esda"]
        print(f"ratio esda/mixing: wall {e['wall_s'] / m['wall_s']:.1f}x, "
              f"LISA only {e['lisa_s'] / m['lisa_s']:.1f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
