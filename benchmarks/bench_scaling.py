"""Scaling law: the index and autocorrelation stages on 1x, 2x, 4x and 8x the country.

The national 2024 units (``config/examples/nl-2024.yaml``: 342 municipalities, buurt and
wijk) are read once; a country ``k`` times as large is ``k`` copies of them, copy ``c``
with new codes (``GM0014`` -> ``GM10014``..., ``BU00140000`` -> ``BU100140000``...) and
geometries shifted ``c * 300`` km east, so no copy touches another. Every size runs in a
fresh process, batch by batch (``--batch-size``, default 50 as in the config), doing what
the workflow's ``indices`` and ``autocorrelation`` jobs do in-process:
:func:`mixing.tables.frames.index_table` (999 permutations, 999 bootstrap replicates),
:func:`~mixing.tables.frames.local_index_table`, weights per municipality and
:func:`mixing.tables.clusters.autocorrelation_tables` (999 permutations). A batch's units
are built when it runs and dropped after it, as a Snakemake job holds only its own batch.

Columns: ``municipalities``, ``units`` (all levels), ``batches``, ``cpu_s`` and ``wall_s``
(the stages only; reading the national files once is excluded), ``cpu_ms_per_unit``
(flat if the cost is linear), ``peak_rss_mb`` (of the process: flat if memory is bounded by
the batch, not the country).

Usage (from the repository root, ../shared beside it; 1x takes about 30 s of CPU)::

    python benchmarks/bench_scaling.py                  # 1x 2x 4x 8x
    python benchmarks/bench_scaling.py --sizes 1,2 --permutations 99
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
SHIFT_M = 300_000.0  # the Netherlands is about 280 km wide


def national_units(path: Path) -> None:
    """Read every municipality of the national config once and store the stacked units."""
    import pandas as pd
    from profile_stages import CONFIG, load_config, resolved_sources

    from mixing.tables.batch import read_batch

    config = load_config(CONFIG)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = read_batch(resolved_sources(config), config.get("levels", ["buurt"]))
    pd.concat(tables.values(), ignore_index=True).to_parquet(path)


def copy_of(units, c: int):
    """Copy ``c`` of the units: new municipality, wijk and unit codes, geometry moved east."""
    import shapely

    if c == 0:
        return units
    out = units.copy()
    for column in ("municipality_code", "wijk_code", "unit_code"):
        known = out[column].notna()
        out.loc[known, column] = (out.loc[known, column].str[:2] + str(c)
                                  + out.loc[known, column].str[2:])
    out["geometry"] = shapely.transform(out.geometry.array, lambda xy: xy + [c * SHIFT_M, 0.0])
    return out


def run_size(units_file: Path, copies: int, batch_size: int, permutations: int) -> dict:
    import geopandas as gpd

    from mixing.geometry.weights import block_diagonal
    from mixing.tables.batch import make_batches, split_by_municipality
    from mixing.tables.clusters import analysis_units, autocorrelation_tables, unit_weights
    from mixing.tables.frames import index_table, local_index_table

    national = gpd.read_parquet(units_file)
    codes = sorted(national["municipality_code"].unique())
    by_code = dict(tuple(national.groupby("municipality_code", sort=False)))
    n_units = 0
    n_batches = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for c in range(copies):
        for members in make_batches(codes, batch_size).values():
            units = copy_of(gpd.GeoDataFrame(
                gpd.pd.concat([by_code[m] for m in members], ignore_index=True),
                geometry="geometry", crs=national.crs), c)
            index_table(units, permutations=permutations, replicates=permutations, seed=1)
            local_index_table(units)
            finest = analysis_units(units)
            batch_codes = sorted(finest["municipality_code"].unique())
            parts = split_by_municipality(finest, batch_codes)
            weights = [unit_weights(parts[m]) for m in batch_codes]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # units without geometry, islands
                autocorrelation_tables(finest, weights=block_diagonal(
                    [w for w in weights if w.n > 0]), permutations=permutations, seed=1)
            n_units += len(units)
            n_batches += 1
            del units, finest, parts, weights
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"copies": copies, "municipalities": copies * len(codes), "units": n_units,
            "batches": n_batches, "cpu_s": round(cpu, 1), "wall_s": round(wall, 1),
            "cpu_ms_per_unit": round(1000 * cpu / n_units, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,4,8", help="copies of the country")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--scratch", help="directory for the national units (kept)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="mixing-scaling-"))
    scratch.mkdir(parents=True, exist_ok=True)
    units_file = scratch / "national_units.parquet"
    if args.child:
        row = run_size(units_file, args.child, args.batch_size, args.permutations)
        print("ROW " + json.dumps(row))
        return 0
    import numpy as np

    if not units_file.exists():
        national_units(units_file)
    print(f"# {os.cpu_count()} CPUs, numpy {np.__version__}, load {os.getloadavg()[0]:.1f}, "
          f"batch size {args.batch_size}, {args.permutations} permutations")
    header = ("copies", "municipalities", "units", "batches", "cpu_s", "wall_s",
              "cpu_ms_per_unit", "peak_rss_mb")
    print(" ".join(f"{h:>15}" for h in header), flush=True)
    for copies in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run([sys.executable, __file__, "--child", str(copies), "--batch-size",
                               str(args.batch_size), "--permutations", str(args.permutations),
                               "--scratch", str(scratch)], capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-4000:], sep="\n")
            return done.returncode
        row = json.loads(done.stdout.rsplit("ROW ", 1)[1])
        print(" ".join(f"{row[h]:>15}" for h in header), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
