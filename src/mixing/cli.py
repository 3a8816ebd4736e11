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


#: Output formats of ``mixing ingest --out`` (see :func:`mixing.io.files.write_table`).
OUT_SUFFIXES = (".parquet", ".csv")


def _ingest(args: argparse.Namespace) -> None:
    from pathlib import Path

    from mixing.io.cbs import read_units
    from mixing.io.files import write_table

    suffix = Path(args.out).suffix.lower()
    if suffix not in OUT_SUFFIXES:
        raise InputError(f"--out must end in one of {list(OUT_SUFFIXES)}", file=args.out,
                         value=suffix or "(no extension)",
                         fix="write units.parquet (for programs) or units.csv (for people)")
    units = read_units(
        geometry=args.geometry, table=args.table, level=args.level, year=args.year,
        municipality=args.municipality, regions=args.regions, layer=args.layer,
        allow_unusable=args.allow_unusable,
    )
    write_table(units, args.out)
    print(f"{len(units)} units written to {args.out}")


def _check_config(args: argparse.Namespace) -> None:
    from pathlib import Path

    import yaml

    from mixing.workflow_io import preflight, strict_yaml

    config = {}
    for path in args.configfile:  # later files override earlier ones, as in snakemake
        config.update(strict_yaml(path))
    schema = Path(args.schema)
    if not schema.is_file():
        raise InputError("the config schema is not here", file=schema,
                         fix="run from the repository folder or pass --schema")
    # the same checks, in the same order, as workflow/rules/common.smk before work starts;
    # config paths are relative to the repository that holds the schema
    scenarios = preflight(config, yaml.safe_load(schema.read_text(encoding="utf-8")),
                          args.configfile, base=schema.resolve().parents[2])
    print(f"{', '.join(args.configfile)}: valid ({len(config['municipalities'])} "
          f"municipalities, {len(scenarios)} scenarios; input files, vitality screenings "
          "and scenarios checked)")


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
    ingest.add_argument("--layer", help="layer of a multi-layer GeoPackage (default: the "
                        "only polygon layer, or the one named after --level)")
    ingest.add_argument("--year", type=int, help="year, when the files do not say it")
    ingest.add_argument("--municipality", help="keep only this municipality (GM0518)")
    ingest.add_argument("--regions", help="buurt or gemeente boundaries: assign each postcode "
                        "of a PC4/PC6 file to the municipality it overlaps most")
    ingest.add_argument("--allow-unusable", action="store_true",
                        help="write a municipality even when no unit has population or "
                        "dwellings")
    ingest.add_argument("--out", required=True, help="output file: " + " or ".join(
        OUT_SUFFIXES))
    ingest.set_defaults(run=_ingest)

    check = commands.add_parser(
        "check-config", help="run every check the workflow runs before work starts (config "
        "schema, input files, vitality screenings, scenarios file) with file and line numbers "
        "(snakemake itself reports a YAML error in --configfile without them)")
    check.add_argument("configfile", nargs="+", help="config YAML file(s)")
    check.add_argument("--schema", default="workflow/schemas/config.schema.yaml",
                       help="the config schema [workflow/schemas/config.schema.yaml]")
    check.set_defaults(run=_check_config)
    return parser


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line each: ``mixing: warning: ...`` (no source line echoed)."""
    print(f"mixing: warning: {_one_line(message)}", file=sys.stderr if file is None else file)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mixing`` console script; returns the exit code.

    Every :class:`~mixing.errors.InputError` is ONE line on stderr, ``mixing: error: ...``,
    and exit code 2. The readers convert what bad files raise (pyogrio/GDAL errors,
    decoding, JSON, GEOS, pandas parsing) into InputError; should one slip through, it is
    reported the same way rather than as a traceback.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if getattr(args, "table", None) and len(args.table) == 1:
        args.table = args.table[0]
    import warnings

    from shapely.errors import GEOSException

    try:
        from pyogrio.errors import DataSourceError
    except ImportError:  # pragma: no cover - pyogrio is a geopandas dependency here
        DataSourceError = OSError  # noqa: N806
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            args.run(args)
        except InputError as error:
            print(f"mixing: error: {_one_line(error)}", file=sys.stderr)
            return 2
        except (UnicodeDecodeError, GEOSException, DataSourceError) as error:
            print(f"mixing: error: cannot read the input ({type(error).__name__}: "
                  f"{_one_line(error)}). Fix: check that the files are complete CBS "
                  "downloads", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
