#!/usr/bin/env python3
"""Writes the input of `make flink-demo`: many sensor series in one long CSV, built from data/timeseries/co2_weekly.csv.

Each sensor follows the weekly CO2 record from its own starting week, shifted by its own offset, with a little
noise, and a few sensors get one injected spike (listed on stderr, so the demo's anomalies can be checked against
them). Missing weeks in the record stay missing (an empty value), so the job's side output has something to show.
Rows are ordered by time, then sensor: what a fleet's feed looks like. Deterministic for a given --seed.

usage: make_flink_demo_data.py --out build/flink-demo/sensors.csv [--sensors 200] [--weeks 520] [--seed 7]
"""
import argparse
import csv
import datetime
import os
import random
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--source", default="data/timeseries/co2_weekly.csv")
    p.add_argument("--out", required=True)
    p.add_argument("--sensors", type=int, default=200)
    p.add_argument("--weeks", type=int, default=520)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    if a.sensors < 1 or a.weeks < 2:
        sys.exit("--sensors must be ≥ 1 and --weeks ≥ 2")
    with open(a.source, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    values = [float(v) if v else None for _, v in rows]
    if a.weeks > len(values):
        sys.exit(f"--weeks: the record has only {len(values)} weeks")
    rnd = random.Random(a.seed)
    sensors = []
    for s in range(a.sensors):
        start = rnd.randrange(0, len(values) - a.weeks + 1)
        spike = rnd.randrange(a.weeks // 2, a.weeks) if s % 10 == 3 else -1
        sensors.append((f"sensor-{s:04d}", start, rnd.uniform(-4, 4), spike, rnd.choice([-1, 1]) * rnd.uniform(6, 10)))
    first = datetime.date(2020, 1, 4)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["series", "date", "co2_ppm"])
        for week in range(a.weeks):
            day = (first + datetime.timedelta(weeks=week)).isoformat()
            for name, start, offset, spike, size in sensors:
                v = values[start + week]
                if v is None:
                    w.writerow([name, day, ""])
                    continue
                v += offset + rnd.gauss(0, 0.15)
                if week == spike:
                    v += size
                    print(f"spike: {name} {day} {size:+.1f} ppm", file=sys.stderr)
                w.writerow([name, day, f"{v:.2f}"])
    os.replace(tmp, a.out)
    print(f"wrote {a.out}: {a.sensors} sensors × {a.weeks} weeks", file=sys.stderr)


if __name__ == "__main__":
    main()
