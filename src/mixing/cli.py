"""The ``mixing`` command line: version, the demo city, and reading CBS files by hand.

The workflow (``snakemake``) is the main entry point; these commands serve set-up and
one-off use.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from mixing import __version__
from mixing.errors import InputError

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> None:
    from mixing.io.demo import write_demo_city

    path = write_demo_city(args.out, seed=args.seed)
    print(f"synthetic demo city written to {path}")


def _ingest(args: argparse.Namespace) -> None:
    from mixing.io.cbs import read_units
    from mixing.io.files import write_table

    units = read_units(
        geometry=args.geometry, table=args.table, level=args.level, year=args.year,
        municipality=args.municipality,
    )
    write_table(units, args.out)
    print(f"{len(units)} units written to {args.out}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixing",
        description="Measure and simulate residential mixing in Dutch municipalities from "
        "CBS data. Run the full workflow with `snakemake --cores 2` (see README.md).",
    )
    parser.add_argument("--version", action="version", version=f"mixing {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="write the synthetic demo city (not CBS data)")
    demo.add_argument("--out", default="data/raw/demo", help="output folder [data/raw/demo]")
    demo.add_argument("--seed", type=int, default=2024, help="random seed [2024]")
    demo.set_defaults(run=_demo)

    ingest = commands.add_parser("ingest", help="read CBS files into the canonical units table")
    ingest.add_argument("--geometry", help="boundary file (GeoPackage, GeoJSON, TopoJSON, shp)")
    ingest.add_argument("--table", nargs="+", help="CBS statistics CSV file(s)")
    ingest.add_argument("--level", default="buurt", help="buurt, wijk, gemeente or pc4")
    ingest.add_argument("--year", type=int, help="year, when the files do not say it")
    ingest.add_argument("--municipality", help="keep only this municipality (GM0518)")
    ingest.add_argument("--out", required=True, help="output .parquet or .csv")
    ingest.set_defaults(run=_ingest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mixing`` console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if getattr(args, "table", None) and len(args.table) == 1:
        args.table = args.table[0]
    try:
        args.run(args)
    except InputError as error:
        print(f"mixing: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
