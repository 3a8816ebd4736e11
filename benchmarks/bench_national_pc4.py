"""National PC4 run from a cold start: every municipality from the 2023 PC4 table, and NL00.

Runs ``snakemake --configfile config/examples/nl-pc4-2023.yaml`` in a fresh working
directory (:func:`bench_national.run`) and reports wall time, CPU time and peak memory of
the whole run, the split per stage (ingest: reading the table and placing each postcode
in its municipality; national: the country as one area), the load average before and
after (the machine may be shared: a loaded machine gives slower wall times, CPU seconds
are the better comparison), and a linear extrapolation to a country ``--scale`` times as
large (each stage's CPU seconds times the scale: every stage is linear in the number of
units except the postcode overlay, n log n, and the national autocorrelation, whose
permutation cost is linear in units x permutations).

Usage (from the repository)::

    python benchmarks/bench_national_pc4.py [--cores 2] [--keep DIR] [--shared /work/shared]

Not part of the test suite: it takes minutes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_national import REPO, report, run  # noqa: E402

CONFIG = REPO / "config" / "examples" / "nl-pc4-2023.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", help="working directory to keep (default: a temporary one)")
    parser.add_argument("--shared", help="the shared data folder, when ../shared is not "
                        "beside the checkout (e.g. /work/shared)")
    parser.add_argument("--scale", type=float, default=8.0,
                        help="extrapolate the CPU seconds to a country this many times larger")
    args = parser.parse_args()
    result = run(CONFIG, cores=args.cores, keep=args.keep, shared=args.shared)
    if result["done"].returncode != 0:
        print(result["done"].stdout[-3000:], result["done"].stderr[-3000:], sep="\n")
        return result["done"].returncode
    report(result, REPO, args.cores)
    stages = result["stages"]
    cpu = stages["cpu_s"].sum()
    print(f"x{args.scale:g} the country (linear in units, same {args.cores} cores, no idle "
          f"core): about {cpu * args.scale:.0f} CPU-s, {cpu * args.scale / args.cores:.0f} s "
          "wall at best; per stage:")
    print((stages["cpu_s"] * args.scale).round(0).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
