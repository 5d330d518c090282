"""sklearn peer of bench/lookalike.bench.ts: the same models (weights written by the bench) on the
same CSR data, timed with predict_proba; and numpy's stable argsort of the same logits, the peer
of our ranking. Run with Debian's /usr/bin/python3 (python3-sklearn), one BLAS thread.

usage: /usr/bin/python3 bench/peers/lookalike_sklearn.py <dir>
Loads <dir> (not timed), prints {"ready": ...} and then answers one command per stdin line, so the
bench can alternate its own timings with ours under the same load:
  score <model>   -> {"ms": predict_proba time, "maxAbsDiff": max |p - p_ours| over the first rows}
  rank            -> {"ms": np.argsort(-logits, kind="stable") time}
  quit
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
    models = {m["name"]: classifier(d, m, meta["cols"]) for m in meta["models"]}
    for clf in models.values():
        clf.predict_proba(X[:1000])
    logits = None
    print(json.dumps({"ready": True, "rows": meta["rows"], "nnz": int(X.nnz), "sklearn": __import__("sklearn").__version__}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "score":
            name = cmd[1]
            t = time.perf_counter()
            p = models[name].predict_proba(X)[:, 1]
            ms = (time.perf_counter() - t) * 1000
            ours = np.fromfile(f"{d}/{name}.ours.f32", dtype=np.float32)
            diff = float(np.max(np.abs(p[: len(ours)].astype(np.float64) - ours.astype(np.float64))))
            print(json.dumps({"ms": ms, "maxAbsDiff": diff}), flush=True)
        elif cmd[0] == "rank":
            if logits is None:
                logits = np.fromfile(f"{d}/logits.f32", dtype=np.float32)
            t = time.perf_counter()
            np.argsort(-logits, kind="stable")
            print(json.dumps({"ms": (time.perf_counter() - t) * 1000}), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {cmd[0]}"}), flush=True)


main()
