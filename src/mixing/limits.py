"""Resource bounds for untrusted input, each declared once.

No data file is trusted (a CBS download, a colleague's GeoPackage, a vitality screening):
whatever it holds, reading it must end in a result or in one ``mixing: error:`` line, never
in exhausted memory or disk. The config is the user's own, but a typo (``permutations:
100000000``) must not cost an afternoon and a crash either. Every bound lives here; the
readers (:mod:`mixing.io.archives`), the argument checks (:func:`mixing.checks.integer`)
and the workflow's config schema (``workflow/schemas/config.schema.yaml``, tested equal in
``tests/test_limits.py``) read them from this module.

Why these values
----------------
:data:`MAX_UNPACKED_BYTES`
    The real CBS files in the shared test data are far below it: the national 2024 buurt
    table (85984NED, every buurt) is 2.3 MB, the national generalised buurt boundaries
    3.3 MB, the national PC4 GeoPackage 7.9 MB, the largest of them. The full-detail
    national wijk- en buurtkaart (three levels, every attribute) is larger -- published
    as GeoParquet it is 58 + 39 + 26 MB compressed; not measured unpacked here, but a few
    times that, under a GiB.
    1 GiB is more than 100 times the largest file measured, fits the national map files,
    and refuses the 1.5 GB of blanks a 1.5 MB zip bomb expands to. The memory a refusal
    costs does not depend on it (the bytes are counted before they are kept).
:data:`MAX_ARCHIVE_MEMBERS`
    A CBS zip holds a handful of files (a shapefile's sidecars, a GeoPackage, a PDF).
:data:`MAX_COUNTS`
    999 is the default and 9,999 a careful run; 99,999 permutations resolve p-values to
    1e-5. The null distributions are kept per municipality (``permutations x indices x
    municipalities per batch`` floats), so 1e8 permutations would need gigabytes.
"""

from __future__ import annotations

__all__ = ["MAX_UNPACKED_BYTES", "MAX_ARCHIVE_MEMBERS", "MAX_COUNTS", "MAX_OPTIMISER_STEPS",
           "RAISE_HINT", "size"]

#: Most bytes the members of one compressed input (gzip, zip, xlsx) may expand to, in total.
MAX_UNPACKED_BYTES = 1 << 30

#: Most members one zip archive may list.
MAX_ARCHIVE_MEMBERS = 1000

#: Largest value of every count argument that sizes an allocation or a loop, by argument
#: name; :func:`mixing.checks.integer` looks a count up here by the name it checks.
MAX_COUNTS = {
    "permutations": 99_999,  # permutation / simulation tests (inference, autocorrelation)
    "replicates": 99_999,  # bootstrap replicates
    "iterations": 99_999,  # simulated allocations of the bias-corrected indices
    "draws": 99_999,  # simulated allocations of the bias-corrected dissimilarity
    "m": 1_000_000,  # threshold grid of the profile indices
    "k": 1_000,  # nearest neighbours
}

#: Most greedy steps (``budget / step``) of a ``target`` scenario; each evaluates the index
#: once per candidate buurt. The default step makes about 100.
MAX_OPTIMISER_STEPS = 10_000

#: How to get past a byte limit (there is no switch for it, on purpose).
RAISE_HINT = ("if the file is genuine, unpack it and pass the unpacked file (the limit is "
              "mixing.limits.MAX_UNPACKED_BYTES)")


def size(n: int) -> str:
    """``n`` bytes for people: ``1 GiB``, ``512 MiB``, ``3.5 KiB``."""
    value, unit = float(n), "bytes"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    return f"{value:.3g} {unit}" if unit != "bytes" else f"{n} bytes"
