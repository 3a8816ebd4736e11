"""Profile of the national run, stage by stage, with the library called in-process.

For ``config/examples/nl-2024.yaml`` (342 municipalities, batches of 50, the national
2024 table and the 2019 buurt boundaries in ../shared) every stage does what its workflow
script does, batch by batch, but without Snakemake: the same library calls, the same
reads and writes (into a scratch directory). Each stage runs in a fresh Python process, so
its peak RSS is its own (as a Snakemake job's is) and imports are paid once per stage,
as once per job.

Columns of the table:

- ``wall_s``, ``cpu_s``: wall and CPU (user + sys) seconds of the stage over all batches,
  measured without a profiler; imports excluded (``import_s`` is printed apart).
- ``peak_rss_mb``: peak resident memory of the stage's process.
- ``top``: the five functions with the largest cumulative time under :mod:`cProfile`, from
  a second, profiled pass over the first batch only (so the profiler's overhead does not
  enter the timings); names are ``module:function`` and seconds are that pass's.

Usage (from the repository root, ../shared beside it)::

    python benchmarks/profile_stages.py                      # every stage
    python benchmarks/profile_stages.py --stages indices,scales --batches 2
    python benchmarks/profile_stages.py --keep /tmp/national  # keep the scratch outputs

Numbers on a shared machine vary; compare two trees back to back with
``PYTHONPATH=<tree>/src python benchmarks/profile_stages.py`` (the script imports
``mixing`` from ``PYTHONPATH`` first).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "examples" / "nl-2024.yaml"
STAGES = ("ingest", "indices", "autocorrelation", "scales", "maps")
#: stages that can also be run the old way, for comparison (``--stages scales_per_municipality``)
EXTRA = ("scales_per_municipality",)


# ----------------------------------------------------------------------------- config
def load_config(path: Path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolved_sources(config: dict) -> dict[str, dict]:
    """Every municipality's source with paths resolved against the repository."""
    def resolve(p):
        p = Path(p)
        return os.path.normpath(p if p.is_absolute() else REPO / p)

    out = {}
    for code, source in config["municipalities"].items():
        src = dict(source)
        if src.get("geometry"):
            src["geometry"] = resolve(src["geometry"])
        if src.get("table"):
            tables = src["table"] if isinstance(src["table"], list) else [src["table"]]
            src["table"] = [resolve(t) for t in tables]
        out[code] = src
    return out


def batches(config: dict) -> dict[str, list[str]]:
    from mixing.tables.batch import make_batches

    return make_batches(sorted(config["municipalities"]), config.get("batch_size", 1))


def units_path(work: Path, code: str) -> Path:
    return work / "results" / code / "units.parquet"


# ----------------------------------------------------------------------------- stages
# Each stage function handles one batch, as the workflow script of that stage does.
def stage_ingest(members, config, work):
    from mixing.io.files import write_table
    from mixing.tables.batch import read_batch

    sources = resolved_sources(config)
    tables = read_batch({m: sources[m] for m in members}, config.get("levels", ["buurt"]))
    for code, units in tables.items():
        write_table(units, units_path(work, code))


def _read_units(members, work):
    import geopandas as gpd
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat([gpd.read_parquet(units_path(work, m)) for m in members],
                                      ignore_index=True), geometry="geometry")


def stage_indices(members, config, work):
    from mixing.io.files import write_table
    from mixing.tables.batch import split_by_municipality
    from mixing.tables.frames import index_table, local_index_table

    settings = config.get("indices", {})
    units = _read_units(members, work)
    table = index_table(units, indices=settings.get("indices"),
                        inference_indices=settings.get("inference"),  # None: the catalogue's
                        permutations=settings.get("permutations", 999),
                        replicates=settings.get("replicates", 999), seed=config["seed"])
    local_table = local_index_table(units)
    parts = split_by_municipality(table, members)
    local_parts = split_by_municipality(local_table, members)
    for code in members:
        out = work / "results" / code
        write_table(parts[code], out / "indices.csv")
        write_table(parts[code], out / "indices.parquet")
        write_table(local_parts[code], out / "local_indices.csv")


def stage_autocorrelation(members, config, work):
    import geopandas as gpd
    import pandas as pd

    from mixing.geometry.weights import block_diagonal, save_weights
    from mixing.io.files import write_table
    from mixing.tables.batch import split_by_municipality
    from mixing.tables.clusters import analysis_units, autocorrelation_tables, unit_weights

    settings = config.get("autocorrelation", {})
    units = analysis_units(pd.concat([gpd.read_parquet(units_path(work, m)) for m in members],
                                     ignore_index=True))
    parts = split_by_municipality(units, members)
    weights = {}
    for code in members:
        weights[code] = unit_weights(parts[code], kind=settings.get("weights", "queen"))
        save_weights(weights[code], work / "results" / code / "weights.npz")
    global_table, local_table = autocorrelation_tables(
        units, weights=block_diagonal([weights[c] for c in members if weights[c].n > 0]),
        variables=settings.get("variables"), permutations=settings.get("permutations", 999),
        seed=config["seed"], alpha=settings.get("alpha", 0.05),
        thresholds=tuple(settings.get("thresholds", [0.5, 0.7])))
    global_parts = split_by_municipality(global_table, members)
    local_parts = split_by_municipality(local_table, members)
    for code in members:
        out = work / "results" / code
        write_table(global_parts[code], out / "autocorrelation.csv")
        write_table(local_parts[code], out / "local.csv")
        shapes = parts[code][["unit_code", "geometry"]]
        write_table(gpd.GeoDataFrame(local_parts[code].merge(shapes, on="unit_code", how="left"),
                                     geometry="geometry", crs=units.crs),
                    out / "local.parquet")


def stage_scales(members, config, work):
    import mixing.tables.scales as scales

    if hasattr(scales, "scale_tables"):  # one pass per batch
        from mixing.io.files import write_table

        tables = scales.scale_tables(scales.scale_levels(_read_units(members, work),
                                                         cell=config.get("grid_cell", 500)))
        for code in members:
            write_table(tables[code], work / "results" / code / "scales.csv")
    else:
        stage_scales_per_municipality(members, config, work)


def stage_scales_per_municipality(members, config, work):
    """What workflow/scripts/scales.py does (before scale_tables): one municipality at a time."""
    import geopandas as gpd

    from mixing.io.aggregate import aggregate_units
    from mixing.io.files import write_table
    from mixing.tables.scales import grid_units, scale_table

    cell = config.get("grid_cell", 500)
    for code in members:
        units = gpd.read_parquet(units_path(work, code))
        buurten = units[units["level"] == "buurt"]
        by_level = {level: units[units["level"] == level] if (units["level"] == level).any()
                    else aggregate_units(buurten, level) for level in ("wijk", "gemeente")}
        by_level = {"buurt": buurten, **by_level}
        if buurten.geometry.notna().all():
            by_level[f"grid{cell}m"] = grid_units(buurten, cell=cell)
        write_table(scale_table(by_level), work / "results" / code / "scales.csv")


def stage_maps(members, config, work):
    import geopandas as gpd
    import pandas as pd

    from mixing.io.files import write_text
    from mixing.viz.maps import municipality_map

    for code in members:
        out = work / "results" / code
        html = municipality_map(gpd.read_parquet(units_path(work, code)),
                                pd.read_csv(out / "indices.csv"),
                                local=pd.read_csv(out / "local.csv"), scenarios={},
                                language=config.get("language", "nl"))
        write_text(out / "map.html", html)


# ----------------------------------------------------------------------------- child
def _top(profile: cProfile.Profile, n: int = 5) -> list[str]:
    """The n functions with the largest cumulative time, outside this script and builtins."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if file == __file__ or file.startswith("~") or name.startswith("<"):
            continue
        module = Path(file).stem
        for marker in ("/mixing/", "/site-packages/"):
            if marker in file:
                module = file.split(marker, 1)[1].removesuffix(".py").replace("/", ".")
                module = ("mixing." + module) if marker == "/mixing/" else module
        rows.append((ct, f"{module}:{name}"))
    rows.sort(reverse=True)
    return [f"{label} {seconds:.2f}s" for seconds, label in rows[:n]]


def run_child(stage: str, config_path: Path, work: Path, n_batches: int | None,
              profile_first: bool) -> dict:
    start = time.perf_counter()
    import geopandas  # noqa: F401  (imports are paid once per job; timed apart)

    import mixing.tables.frames  # noqa: F401
    import_s = time.perf_counter() - start
    config = load_config(config_path)
    todo = list(batches(config).values())[:n_batches]
    fn = globals()[f"stage_{stage}"]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for members in todo:
        fn(members, config, work)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    top = []
    if profile_first:
        profile = cProfile.Profile()
        profile.enable()
        fn(todo[0], config, work)
        profile.disable()
        top = _top(profile)
    return {"stage": stage, "batches": len(todo),
            "municipalities": sum(len(m) for m in todo), "import_s": round(import_s, 2),
            "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(peak),
            "top": top}


# ----------------------------------------------------------------------------- parent
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", default=",".join(STAGES),
                        help=f"comma-separated, in order (default {','.join(STAGES)})")
    parser.add_argument("--config", default=str(CONFIG))
    parser.add_argument("--batches", type=int, help="only the first N batches")
    parser.add_argument("--keep", help="scratch directory to use and keep")
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="mixing-profile-"))
    if args.child:
        row = run_child(args.child, Path(args.config), work, args.batches, not args.no_profile)
        print("ROW " + json.dumps(row))
        return 0
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES) - set(EXTRA)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}; use some of {STAGES}")
    import numpy as np

    print(f"# {os.cpu_count()} CPUs, numpy {np.__version__}, load {os.getloadavg()[0]:.1f}, "
          f"config {Path(args.config).name}, scratch {work}")
    rows = []
    for stage in stages:
        command = [sys.executable, __file__, "--child", stage, "--config", args.config,
                   "--keep", str(work)]
        command += ["--batches", str(args.batches)] if args.batches else []
        command += ["--no-profile"] if args.no_profile else []
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-4000:], sep="\n")
            return done.returncode
        row = json.loads(done.stdout.rsplit("ROW ", 1)[1])
        rows.append(row)
        print(f"{stage:<16} wall {row['wall_s']:7.1f} s  cpu {row['cpu_s']:7.1f} s  "
              f"peak {row['peak_rss_mb']:5d} MB  (imports {row['import_s']:.1f} s, "
              f"{row['batches']} batches)", flush=True)
        for line in row["top"]:
            print(f"{'':<18}{line}")
    print(f"{'total':<16} wall {sum(r['wall_s'] for r in rows):7.1f} s  "
          f"cpu {sum(r['cpu_s'] for r in rows):7.1f} s  "
          f"peak {max(r['peak_rss_mb'] for r in rows):5d} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
