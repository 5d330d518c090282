"""sklearn peer of bench/lookalike.bench.ts: the same model (weights written by the bench) on the
same CSR data, timed with predict_proba. Run with Debian's /usr/bin/python3 (python3-sklearn).

usage: /usr/bin/python3 bench/peers/lookalike_sklearn.py <dir>   (prints one JSON object)
"""
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier


def load(d, meta):
    indptr = np.fromfile(f"{d}/indptr.i32", dtype=np.int32)
    indices = np.fromfile(f"{d}/indices.i32", dtype=np.int32)
    data = np.fromfile(f"{d}/values.f32", dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(meta["rows"], meta["cols"]))


def layers_of(d, m):
    w = np.fromfile(f"{d}/{m['name']}.weights.f32", dtype=np.float32)
    out, o = [], 0
    for l in m["layers"]:
        W = w[o:o + l["inputs"] * l["units"]].reshape(l["inputs"], l["units"])
        o += l["inputs"] * l["units"]
        b = w[o:o + l["units"]]
        o += l["units"]
        out.append((W, b))
    return out


def classifier(d, m, cols):
    layers = layers_of(d, m)
    if len(layers) == 1:
        clf = LogisticRegression()
        clf.coef_ = layers[0][0].T.copy()
        clf.intercept_ = layers[0][1].copy()
    else:
        clf = MLPClassifier(hidden_layer_sizes=tuple(W.shape[1] for W, _ in layers[:-1]), activation="relu")
        clf.coefs_ = [W for W, _ in layers]
        clf.intercepts_ = [b for _, b in layers]
        clf.n_layers_ = len(layers) + 1
        clf.n_outputs_ = 1
        clf.out_activation_ = "logistic"
    clf.classes_ = np.array([0, 1])
    clf.n_features_in_ = cols
    return clf


def main():
    d = sys.argv[1]
    meta = json.load(open(f"{d}/meta.json"))
    X = load(d, meta)
    results = {"rows": meta["rows"], "nnz": int(X.nnz), "sklearn": __import__("sklearn").__version__, "models": {}}
    for m in meta["models"]:
        clf = classifier(d, m, meta["cols"])
        clf.predict_proba(X[:1000])
        times = []
        for _ in range(meta.get("repeats", 3)):
            t = time.perf_counter()
            p = clf.predict_proba(X)[:, 1]
            times.append((time.perf_counter() - t) * 1000)
        ours = np.fromfile(f"{d}/{m['name']}.ours.f32", dtype=np.float32)
        results["models"][m["name"]] = {
            "ms": min(times),
            "msAll": times,
            "maxAbsDiffFirstRows": float(np.max(np.abs(p[: len(ours)] - ours))),
        }
    print(json.dumps(results))


main()
