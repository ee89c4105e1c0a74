#!/usr/bin/env python3
"""Writes the playground's sample series (examples/service/src/main/resources/static/series.json) from
data/timeseries/co2_weekly.csv: a few windows of the weekly CO2 series the co2-* forecasters were trained on.
Run from the repository root: python3 scripts/playground_series.py"""
import csv
import json
import os

SRC = "data/timeseries/co2_weekly.csv"
OUT = "examples/service/src/main/resources/static/series.json"

rows = [(d, v) for d, v in list(csv.reader(open(SRC, encoding="utf-8")))[1:]]
values = [(d, float(v)) for d, v in rows if v not in ("", "NaN")]


def window(name, end_index, weeks):
    part = values[end_index - weeks:end_index]
    return {"name": name, "start": part[0][0], "end": part[-1][0], "values": [v for _, v in part]}


series = [
    window("CO2 at Mauna Loa, weekly ppm: the last 3 years (1999-2001)", len(values), 156),
    window("CO2 at Mauna Loa, weekly ppm: the last year (2001)", len(values), 52),
    window("CO2 at Mauna Loa, weekly ppm: 1988-1990", len(values) - 520, 156),
]
tmp = OUT + ".tmp"
with open(tmp, "w", encoding="utf-8") as f:
    json.dump({"source": SRC, "series": series}, f, indent=1)
    f.write("\n")
os.replace(tmp, OUT)
print("wrote", OUT, [len(s["values"]) for s in series])
