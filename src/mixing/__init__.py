"""mixing: measure and simulate residential mixing in Dutch municipalities from CBS data.

The entry points, one per stage of the workflow::

    import mixing

    units = mixing.read_units(geometry=..., table=..., municipality="GM0518", year=2019)
    indices = mixing.index_table(units, seed=1)
    local = mixing.local_index_table(units)
    global_table, local_table = mixing.autocorrelation_tables(units, seed=1)
    scenarios = mixing.load_scenarios("config/scenarios.yaml")
    table, after = mixing.run_scenarios(units, scenarios, seed=1)
    html = mixing.municipality_map(units, ...)

The layers below them: :mod:`mixing.io` (readers, downloads), :mod:`mixing.kernels` (pure
numpy), :mod:`mixing.geometry` (weights, distances, crosswalks), :mod:`mixing.tables`
(frame wrappers), :mod:`mixing.scenarios` (the policy lab) and :mod:`mixing.viz` (maps and
pages); :mod:`mixing.catalogue` and :mod:`mixing.dimensions` declare the indices and the
dimensions once. The entry points are imported on first use, so ``import mixing`` stays fast.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mixing")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

#: entry point -> the module that defines it
_ENTRY_POINTS = {
    "read_units": "mixing.io.cbs",
    "index_table": "mixing.tables.frames",
    "local_index_table": "mixing.tables.frames",
    "autocorrelation_tables": "mixing.tables.clusters",
    "load_scenarios": "mixing.scenarios.spec",
    "run_scenarios": "mixing.scenarios.tables",
    "municipality_map": "mixing.viz.maps",
}

__all__ = ["__version__", *_ENTRY_POINTS]


def __getattr__(name: str):
    if name in _ENTRY_POINTS:
        return getattr(import_module(_ENTRY_POINTS[name]), name)
    raise AttributeError(f"module 'mixing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
