"""National run from a cold start: every municipality of the 2024 table, all default stages.

Runs ``snakemake --configfile config/examples/nl-2024.yaml`` in a fresh working directory
(so no result is cached; the OS file cache and Python's bytecode cache are left as they
are, so the very first run after an install is slower), then reports wall time, CPU time
and peak memory of the whole run and the split per stage from the rules' Snakemake
``benchmark:`` files (job wall seconds and CPU seconds summed over batches, the largest
peak RSS of one job).

Usage (from the repository, with ../shared beside it)::

    python benchmarks/bench_national.py [--cores 2] [--keep DIR] [--repo OTHER_TREE]
                                        [--shared /work/shared]

``--repo`` runs another checkout's workflow and library (e.g. a worktree of the commit
before a change) with this script, so two versions are measured the same way; run them
back to back and compare ratios.

Not part of the test suite: it takes minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "examples" / "nl-2024.yaml"


def stage_table(workdir: Path) -> pd.DataFrame:
    """Job seconds, CPU seconds and peak RSS per stage from the ``benchmark:`` files.

    Both log layouts are read: ``logs/{batch}/{stage}.benchmark.tsv`` and
    ``logs/{stage}/{batch or municipality}.benchmark.tsv``.
    """
    rows = []
    for path in sorted((workdir / "logs").glob("*/*.benchmark.tsv")):
        table = pd.read_csv(path, sep="\t")
        name, folder = path.name.removesuffix(".benchmark.tsv"), path.parent.name
        by_stage = re.match(r"(GM|DEMO|NL)\d", name) is not None
        rows.append({"stage": folder if by_stage else name,
                     "batch": name if by_stage else folder,
                     "seconds": table["s"].iloc[0],
                     "cpu_s": table["cpu_time"].iloc[0] if "cpu_time" in table else float("nan"),
                     "max_rss_mb": table["max_rss"].iloc[0]})
    return pd.DataFrame(rows).groupby("stage").agg(
        jobs=("batch", "size"), seconds=("seconds", "sum"), cpu_s=("cpu_s", "sum"),
        max_rss_mb=("max_rss_mb", "max"))


def shared_config(config: Path, shared: str | None, workdir: Path) -> Path:
    """``config``, or a copy in ``workdir`` whose ``../shared/`` paths point at ``shared``
    (for a checkout without ``../shared`` beside it, e.g. a git worktree)."""
    if not shared:
        return config
    copy = workdir / config.name
    copy.write_text(config.read_text(encoding="utf-8").replace(
        "../shared/", str(Path(shared).resolve()) + "/"), encoding="utf-8")
    return copy


def run(config: Path, *, repo: Path = REPO, cores: int = 2, keep: str | None = None,
        shared: str | None = None, extra: tuple[str, ...] = ()) -> dict:
    """Run the workflow on ``config`` in a fresh directory; wall, CPU, memory, stages."""
    workdir = Path(keep or tempfile.mkdtemp(prefix="mixing-national-"))
    workdir.mkdir(parents=True, exist_ok=True)
    config = shared_config(config, shared, workdir)
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(repo / "Snakefile"),
               "--directory", str(workdir), "--configfile", str(config), "--cores",
               str(cores), "--quiet", "rules", *extra]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(repo / "src")] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"done": done, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "max_rss_mb": usage.ru_maxrss / 1024, "workdir": workdir,
            "load": (load_before, os.getloadavg()[0]),
            "stages": stage_table(workdir) if (workdir / "logs").is_dir() else None}


def report(result: dict, repo: Path, cores: int) -> None:
    """Print the figures of :func:`run` (load average before and after: shared machines)."""
    workdir = result["workdir"]
    municipalities = len(list((workdir / "results").glob("GM*")))
    before, after = result["load"]
    print(f"# {os.cpu_count()} CPUs, load average {before:.1f} before, {after:.1f} after "
          f"(numbers under load are slower than on an idle machine); code: {repo}")
    print(f"municipalities: {municipalities}")
    print(f"wall time: {result['wall']:.1f} s on {cores} cores; CPU time (user+sys): "
          f"{result['cpu']:.1f} s; peak memory of one process: {result['max_rss_mb']:.0f} MB")
    print("per stage (job seconds and CPU seconds summed over batches; peak RSS of one job):")
    if result["stages"] is not None:
        print(result["stages"].sort_values("seconds", ascending=False).to_string(
            float_format="%.1f"))
    print(f"outputs in {workdir}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", help="working directory to keep (default: a temporary one)")
    parser.add_argument("--keep-going", action="store_true",
                        help="run what does not depend on a failed job, report it anyway")
    parser.add_argument("--figures", action="store_true",
                        help="also draw the static PNG/SVG figures (config figures: true)")
    parser.add_argument("--repo", default=str(REPO),
                        help="checkout whose Snakefile, config and src/ to run (default: this)")
    parser.add_argument("--shared", help="the shared data folder, when ../shared is not "
                        "beside the checkout (e.g. /work/shared)")
    args = parser.parse_args()
    repo = Path(args.repo).resolve()
    extra = (("--keep-going",) if args.keep_going else ()) + (
        ("--config", "figures=True") if args.figures else ())
    result = run(repo / CONFIG.relative_to(REPO), repo=repo, cores=args.cores,
                 keep=args.keep, shared=args.shared, extra=extra)
    done = result["done"]
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        if not args.keep_going:
            return done.returncode
        print(f"FAILED (exit {done.returncode}); the figures below cover the jobs that ran")
    report(result, repo, args.cores)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
