"""Benchmark: batched kernels and inference against PySAL ``segregation`` in a loop.

Run by hand from the repository root (not collected by pytest)::

    python benchmarks/bench_indices.py            # full run, a few minutes
    python benchmarks/bench_indices.py --quick    # smaller segregation samples

(a) the two-group aspatial indices of :mod:`mixing.kernels.aspatial` for 342 synthetic
    municipalities x 40 units: ONE batched call per index against the matching
    ``segregation.singlegroup`` class called once per municipality in a Python loop;
(b) 999-replicate p-values for D in all 342 municipalities: one
    :func:`mixing.kernels.inference.single_value_test` call per null (plus
    :func:`~mixing.kernels.inference.bootstrap_ci`) against
    ``segregation.inference.SingleValueTest`` per municipality.

Where ``segregation`` is slow only a subset of municipalities is timed (until a time
budget is spent) and the time is extrapolated linearly to 342; the output marks those rows
``extrapolated from k``. ``mixing`` is timed twice: with the municipality codes as the
str column users pass (``np.unique`` on Python strings dominates small kernels) and with
integer codes factorised once beforehand (``speedup_int_ids``). Times are the best of
``--repeat`` runs for ``mixing`` and one run for ``segregation``. Peak memory of each
``mixing`` call is measured with :mod:`tracemalloc` (numpy reports its buffers to it).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from mixing.kernels import aspatial as indices
from mixing.kernels import inference as inf

N_MUNICIPALITIES, N_UNITS, SEED = 342, 40, 20191231

#: mixing kernel -> (segregation.singlegroup class, extra kwargs for mixing)
PAIRS = {
    "dissimilarity": ("Dissim", {}),
    "gini": ("Gini", {}),
    "entropy": ("Entropy", {}),
    "isolation": ("Isolation", {}),
    "exposure": ("Interaction", {}),
    "correlation_ratio": ("CorrelationR", {}),
    "atkinson": ("Atkinson", {}),
    "modified_dissimilarity": ("ModifiedDissim", {"iterations": 500, "seed": SEED}),
    "bias_corrected_dissimilarity": ("BiasCorrectedDissim", {"draws": 500, "seed": SEED}),
    "density_corrected_dissimilarity": ("DensityCorrectedDissim", {}),
    "con_prof": ("ConProf", {}),
    "min_max": ("MinMax", {}),
}


def synthetic(seed: int = SEED) -> pd.DataFrame:
    """342 municipalities x 40 units: integer totals 50..3000, segregated group shares."""
    rng = np.random.default_rng(seed)
    n = N_MUNICIPALITIES * N_UNITS
    level = np.repeat(rng.uniform(0.1, 0.4, N_MUNICIPALITIES), N_UNITS)
    share = rng.beta(2.0 * level / (1 - level), 2.0, n)
    total = rng.integers(50, 3000, n).astype(float)
    return pd.DataFrame({
        "municipality": np.repeat([f"GM{i:04d}" for i in range(N_MUNICIPALITIES)], N_UNITS),
        "group": np.rint(total * share), "total": total})


def best_of(fn, repeat: int) -> tuple[float, float, object]:
    """(best seconds, peak traced MB of the first run, result)."""
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), peak, result


def loop_segregation(make, frames, budget: float) -> tuple[float, int]:
    """Seconds for all municipalities, extrapolated from the first k within ``budget``."""
    start = time.perf_counter()
    k = 0
    for df in frames:
        make(df)
        k += 1
        if time.perf_counter() - start > budget:
            break
    elapsed = time.perf_counter() - start
    return elapsed * len(frames) / k, k


def bench_indices(data, frames, repeat: int, budget: float) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import segregation.singlegroup as sg
    # ids as users pass them (the str column) and factorised once to int codes
    codes = pd.factorize(data["municipality"], sort=True)[0]
    group, total = data["group"].to_numpy(), data["total"].to_numpy()
    rows = []
    for name, (cls_name, kwargs) in PAIRS.items():
        if not hasattr(indices, name):
            continue
        kernel = getattr(indices, name)
        cls = getattr(sg, cls_name)
        ours, peak, values = best_of(
            lambda k=kernel, kw=kwargs: k(group, total, groups=data["municipality"], **kw),
            repeat)
        ours_int, _, _ = best_of(
            lambda k=kernel, kw=kwargs: k(group, total, groups=codes, **kw), repeat)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(frames[0], "group", "total")  # warm-up (numba compile, imports)
            theirs, k = loop_segregation(lambda df, c=cls: c(df, "group", "total").statistic,
                                         frames, budget)
        rows.append({"index": name, "mixing_s": ours, "mixing_int_ids_s": ours_int,
                     "segregation_s": theirs, "speedup": theirs / ours,
                     "speedup_int_ids": theirs / ours_int, "mixing_peak_MB": peak,
                     "segregation_timed": "all 342" if k == len(frames)
                     else f"extrapolated from {k}", "finite": int(np.isfinite(values).sum())})
    return pd.DataFrame(rows)


def bench_inference(data, frames, repeat: int, n_seg: int, permutations: int) -> pd.DataFrame:
    args = (data["group"], data["total"])
    rows = []
    calls = {f"single_value_test null={null}": (
        lambda null=null: inf.single_value_test("dissimilarity", *args,
                                                groups=data["municipality"], null=null,
                                                permutations=permutations, seed=SEED))
             for null in inf.NULLS}
    calls["bootstrap_ci"] = lambda: inf.bootstrap_ci(
        "dissimilarity", *args, groups=data["municipality"], replicates=permutations,
        seed=SEED)
    for label, fn in calls.items():
        ours, peak, _ = best_of(fn, repeat)
        rows.append({"call": label, "mixing_s": ours, "mixing_peak_MB": peak})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import segregation.singlegroup as sg
        from segregation.inference import SingleValueTest

        np.random.seed(SEED)  # noqa: NPY002 -- segregation draws from numpy's global state
        for jobs in (1, -1):
            start = time.perf_counter()
            for df in frames[:n_seg]:
                SingleValueTest(sg.Dissim(df, "group", "total"), iterations_under_null=permutations,
                                null_approach="systematic", n_jobs=jobs)
            per = (time.perf_counter() - start) / n_seg
            rows.append({"call": f"segregation SingleValueTest systematic n_jobs={jobs}",
                         "segregation_s": per * len(frames),
                         "segregation_timed": f"extrapolated from {n_seg}"})
    table = pd.DataFrame(rows)
    ref = table["segregation_s"].dropna().min()
    table["speedup_vs_best_segregation"] = ref / table["mixing_s"]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller segregation samples")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of mixing calls")
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()
    budget, n_seg = (1.0, 1) if args.quick else (5.0, 3)
    data = synthetic()
    frames = [g[["group", "total"]].reset_index(drop=True)
              for _, g in data.groupby("municipality", sort=True)]
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"numpy {np.__version__}; {N_MUNICIPALITIES} municipalities x {N_UNITS} units")
    pd.set_option("display.width", 200)
    pd.set_option("display.float_format", lambda v: f"{v:,.4g}")
    print("\n## (a) indices: one batched call vs segregation class per municipality\n")
    print(bench_indices(data, frames, args.repeat, budget).to_string(index=False))
    print(f"\n## (b) inference for D, {args.permutations} replicates, all municipalities\n")
    table = bench_inference(data, frames, args.repeat, n_seg, args.permutations)
    print(table.to_string(index=False))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS: {rss:,.0f} MB; mixing.kernels.inference.CHUNK_UNITS = "
          f"{inf.CHUNK_UNITS:,}")


if __name__ == "__main__":
    main()
