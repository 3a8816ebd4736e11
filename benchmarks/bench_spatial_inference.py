"""Inference for the spatial indices: seconds per index for 999 null replicates.

Den Haag (114 buurten) and Amsterdam (479 buurten) 2019, social housing, on the 2019
boundaries from ``../shared``; systematic null and geographic permutation, one index per
call (so the draws are counted in every row; the index table shares them).

Usage (from the repository, with ../shared beside it)::

    python benchmarks/bench_spatial_inference.py [--permutations 999]

Not part of the test suite: its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

from mixing import catalogue
from mixing.geometry.distances import spatial_inputs
from mixing.io.cbs import read_units
from mixing.io.readers.geo import read_geometry
from mixing.kernels import inference

CBS = Path(__file__).resolve().parents[2] / "shared" / "data" / "cbs"
ODATA = CBS / "kwb_odata_denhaag_amsterdam_utrecht" / "data"
CITIES = {"Den Haag": ODATA / "marginal_distributions_TheHague_2019_84583NED.csv",
          "Amsterdam": ODATA / "ams_2019" / "marginal_distributions_84583NED.csv"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--permutations", type=int, default=999)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # CRS guess and hidden CBS values, expected here
        boundaries = read_geometry(CBS / "buurt_2019_nl_topojson" / "buurten.json")
        cities = {name: read_units(boundaries, path, year=2019).reset_index(drop=True)
                  for name, path in CITIES.items()}
    print(f"seconds for {args.permutations} replicates, one index per call")
    print(f"{'index':32s} " + " ".join(f"{c + ' ' + n:>22s}" for c in cities
                                         for n in ("systematic", "geographic")))
    inputs = {name: spatial_inputs(units) for name, units in cities.items()}
    for name in catalogue.names("spatial"):
        cells = []
        for city, units in cities.items():
            g = units["dwellings_social"].to_numpy(dtype=float)
            t = units["dwellings"].to_numpy(dtype=float)
            for null in ("systematic", "geographic"):
                start = time.perf_counter()
                result = inference.single_value_test(name, g, t, geometry=inputs[city],
                                                     null=null, seed=1,
                                                     permutations=args.permutations)
                assert np.isfinite(result.expected_under_null)
                cells.append(f"{time.perf_counter() - start:22.2f}")
        print(f"{name:32s} " + " ".join(cells))


if __name__ == "__main__":
    main()
