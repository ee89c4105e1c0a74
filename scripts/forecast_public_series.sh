#!/usr/bin/env bash
# The forecasting check of issue 14: train a GRU forecaster with the DEFAULTS ONLY (no option but --data) on public
# series the project neither ships nor was tuned on, and compare its test MASE with the seasonal-naive baseline's
# on the same rolling origins. The series come from R's datasets package (Debian: r-base-core), exported here;
# they are written under build/ and never committed.
#   scripts/forecast_public_series.sh [CELL]      (make forecast-check; default cell gru)
#   SERIES="airpassengers nile" scripts/forecast_public_series.sh   (a subset)
#   PANELS="" scripts/forecast_public_series.sh   (skip the global model over the Seatbelts panel)
# Output: build/forecast-check/<series>/ (model, card, run folder, log) and build/forecast-check/summary.md, with
# the panel's per-series and aggregate scores.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cell="${1:-gru}"
out="$home/build/forecast-check"
mkdir -p "$out"
if ! command -v Rscript > /dev/null; then
    echo "forecast-check: Rscript not found; install Debian's r-base-core (R's datasets hold the series)" >&2
    exit 2
fi
# monthly (AirPassengers, 144), quarterly (UKgas, 108), yearly (Nile, 100), monthly with a level shift
# (UKDriverDeaths, 192), quarterly (JohnsonJohnson, 84).
OUT="$out" Rscript --vanilla -e '
stamp <- function(x) {
  y <- floor(time(x) + 1e-6); p <- cycle(x)
  if (frequency(x) == 12) sprintf("%04d-%02d", y, p) else if (frequency(x) == 4) sprintf("%04d-Q%d", y, p)
  else sprintf("%04d", y)
}
save <- function(x, name, column) {
  d <- data.frame(stamp(x), as.numeric(x)); names(d) <- c(if (frequency(x) == 12) "month" else
    if (frequency(x) == 4) "quarter" else "year", column)
  write.csv(d, file.path(Sys.getenv("OUT"), paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
}
save(AirPassengers, "airpassengers", "passengers")
save(UKgas, "ukgas", "gas")
save(Nile, "nile", "flow")
save(UKDriverDeaths, "ukdriverdeaths", "deaths")
save(JohnsonJohnson, "johnsonjohnson", "earnings")
# A panel for one global model: Seatbelts (monthly 1969-1984, 192 rows) in long format, four series of very
# different levels: drivers killed or seriously injured (~1,700), front-seat (~840) and rear-seat (~400) passengers,
# van drivers killed (~9).
s <- Seatbelts; m <- sprintf("%04d-%02d", floor(time(s) + 1e-6), cycle(s))
long <- do.call(rbind, lapply(c("drivers", "front", "rear", "VanKilled"), function(k)
  data.frame(month = m, series = k, casualties = as.numeric(s[, k]))))
write.csv(long, file.path(Sys.getenv("OUT"), "seatbelts.csv"), row.names = FALSE, quote = FALSE)
' > /dev/null
summary="$out/summary.md"
{
    echo "| series | frequency | rows | model ($cell) test MASE | seasonal naive test MASE | ratio | 80% interval coverage | 95% interval coverage | trials chosen |"
    echo "|---|---|---|---|---|---|---|---|---|"
} > "$summary.tmp"
for series in ${SERIES:-airpassengers ukgas nile ukdriverdeaths johnsonjohnson}; do
    dir="$out/$series"
    rm -rf "$dir"
    mkdir -p "$dir"
    echo "== $series"
    "$home/bin/stepwise" train --task forecast --cell "$cell" --data "$out/$series.csv" \
        --out "$dir/$series-$cell.onnx" --run-dir "$dir/run" --progress OFF > "$dir/train.log" 2>&1 \
        || { tail -5 "$dir/train.log"; exit 1; }
    grep -E "^settings:|^settings search: chose|^wrote $dir" "$dir/train.log" || true
    "${PYTHON:-/usr/bin/python3}" - "$dir/$series-$cell.onnx" "$dir/train.log" "$series" >> "$summary.tmp" <<'PY'
import json, re, sys
import onnx  # Debian python3-onnx
props = {p.key: p.value for p in onnx.load(sys.argv[1], load_external_data=False).metadata_props}
m = json.loads(props["stepwise.metrics"])
log = open(sys.argv[2]).read()
freq = re.search(r"from (\w+) data, (\d+) rows", log)
chose = re.search(r"chose trial (\d+) \(([^)]*)\)", log)
model, naive = m["test_mase"], m["baseline_snaive_mase"]
cov = m.get("test_interval_80_coverage", float("nan"))
cov95 = m.get("test_interval_95_coverage", float("nan"))
print(f"| {sys.argv[3]} | {freq.group(1) if freq else '?'} | {freq.group(2) if freq else '?'} | {model:.3f} | "
      f"{naive:.3f} | {model / naive:.2f} | {cov:.2f} | {cov95:.2f} | {chose.group(1) + ': ' + chose.group(2) if chose else '-'} |")
PY
done
for panel in ${PANELS-seatbelts}; do
    dir="$out/$panel"
    rm -rf "$dir"
    mkdir -p "$dir"
    echo "== $panel (one global model over its series)"
    "$home/bin/stepwise" train --task forecast --cell "$cell" --data "$out/$panel.csv" --series series \
        --target casualties --out "$dir/$panel-$cell.onnx" --run-dir "$dir/run" --progress OFF > "$dir/train.log" \
        2>&1 || { tail -5 "$dir/train.log"; exit 1; }
    grep -E "^settings:|^settings search: chose|^wrote $dir" "$dir/train.log" || true
    "${PYTHON:-/usr/bin/python3}" - "$dir/$panel-$cell.onnx" "$panel" >> "$summary.tmp" <<'PY'
import json, sys
import onnx  # Debian python3-onnx
props = {p.key: p.value for p in onnx.load(sys.argv[1], load_external_data=False).metadata_props}
m = json.loads(props["stepwise.metrics"])
keys = json.loads(props["stepwise.series"])["keys"]
print(f"\n{sys.argv[2]}: one global model over {len(keys)} series "
      f"({int(m['series_beating_baseline'])} beat seasonal naive)\n")
print("| series | model test MASE | seasonal naive test MASE | ratio | 80% interval coverage | 95% interval coverage |")
print("|---|---|---|---|---|---|")
nan = float("nan")
for k in keys:
    a, b = m[f"series:{k}:test_mase"], m[f"series:{k}:baseline_snaive_mase"]
    c80, c95 = m.get(f"series:{k}:test_interval_80_coverage", nan), m.get(f"series:{k}:test_interval_95_coverage", nan)
    print(f"| {k} | {a:.3f} | {b:.3f} | {a / b:.2f} | {c80:.2f} | {c95:.2f} |")
a, b = m["test_mase"], m["baseline_snaive_mase"]
print(f"| mean over series | {a:.3f} | {b:.3f} | {a / b:.2f} | {m['test_interval_80_coverage']:.2f} | "
      f"{m['test_interval_95_coverage']:.2f} |")
intervals = json.loads(props["stepwise.intervals"])
print(f"\nintervals: {intervals['method']}, calibration {intervals.get('calibration', 'not recorded')}")
PY
done
mv "$summary.tmp" "$summary"
cat "$summary"
