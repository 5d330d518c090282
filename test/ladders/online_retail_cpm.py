"""Independent CPM computation for the Online Retail test: pandas on the raw UCI file, without the
engine's importer or SQL. Usage:

    online_retail_cpm.py <online_retail.csv.gz> <json args>

args: {"days": [...], "thresholds": {"lapseDays", "tenureDays": [a, b], "spend"}, "autoSpendDay": day}
Prints JSON: per day each customer's class, the movement counts between the first two days, and the
data-driven spend threshold (top fifth of repeat customers, 2 significant figures) on autoSpendDay.
"""
import json
import math
import sys

import numpy as np
import pandas as pd

path, args = sys.argv[1], json.loads(sys.argv[2])
raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str}, encoding="utf-8")
# What the import keeps: a member (CustomerID), a non-negative price, a non-zero quantity.
raw = raw[raw["CustomerID"].notna() & (raw["UnitPrice"] >= 0) & (raw["Quantity"] != 0)].copy()
raw["member"] = raw["CustomerID"].astype(float).astype(np.int64).astype(str)
raw["ts"] = pd.to_datetime(raw["InvoiceDate"])
raw["amount"] = (raw["Quantity"] * raw["UnitPrice"]).round(2)


def history(day):
    cut = pd.Timestamp(day)
    lines = raw[raw["ts"] < cut]
    receipts = lines.groupby(["member", "InvoiceNo"]).agg(
        day=("ts", "min"), sold=("Quantity", lambda q: bool((q > 0).any())), net=("amount", "sum")
    )
    receipts["day"] = receipts["day"].dt.normalize()
    sold = receipts[receipts["sold"]].reset_index()
    per = sold.groupby("member").agg(purchases=("InvoiceNo", "count"), first=("day", "min"), last=("day", "max"))
    spend = receipts.reset_index().groupby("member")["net"].sum().round(2)
    per = per.join(spend.rename("spend"))
    per["tenure"] = (per["last"] - per["first"]).dt.days
    per["recency"] = (cut - per["last"]).dt.days
    return per


def classify(per, t):
    out = {}
    a, b = t["tenureDays"]
    for member, r in per.iterrows():
        if r.purchases <= 1:
            stage = "first"
        elif r.tenure < a:
            stage = "toddler"
        elif r.spend < t["spend"]:
            stage = "steady"
        elif r.tenure < b:
            stage = "trendy"
        else:
            stage = "loyal"
        state = "lapsed" if r.recency >= t["lapseDays"] else "active"
        out[member] = f"{stage}_{state}"
    return out


def round_significant(x, digits=2):
    scale = 10 ** (math.floor(math.log10(abs(x))) - digits + 1)
    return math.floor(x / scale + 0.5) * scale


t = args["thresholds"]
classes = {day: classify(history(day), t) for day in args["days"]}
d0, d1 = args["days"][0], args["days"][1]
moves = {}
for member, c in classes[d1].items():
    key = f"{classes[d0].get(member, 'none')}>{c}"
    moves[key] = moves.get(key, 0) + 1
for member, c in classes[d0].items():
    if member not in classes[d1]:
        key = f"{c}>none"
        moves[key] = moves.get(key, 0) + 1

per = history(args["autoSpendDay"])
repeat = per[per["purchases"] >= 2]["spend"].to_numpy()
p80 = float(np.quantile(repeat, 0.8, method="inverted_cdf"))
print(json.dumps({"classes": classes, "moves": moves, "autoSpend": round_significant(p80), "autoSpendRaw": p80}))
