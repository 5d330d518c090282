"""scikit-learn KMeans on a raw float64 matrix: the segmentation bench's peer.

usage: sklearn_kmeans.py MATRIX ROWS COLS K SEED
Loads the matrix (not timed), fits KMeans(n_clusters=K, init='k-means++', n_init=1,
random_state=SEED) once, and prints one JSON line: {"ms": fit time, "inertia": ..., "n_iter": ...,
"threads": ...}. Run with Debian's /usr/bin/python3 (python3-sklearn, python3-numpy).
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def main() -> None:
    path, rows, cols, k, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    x = np.fromfile(path, dtype="<f8", count=rows * cols).reshape(rows, cols)
    model = KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=seed)
    started = time.perf_counter()
    model.fit(x)
    ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"ms": ms, "inertia": float(model.inertia_), "n_iter": int(model.n_iter_), "threads": os.cpu_count()}))


if __name__ == "__main__":
    main()
