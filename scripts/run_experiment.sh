#!/usr/bin/env bash
# Runs `stepwise experiment ARGS...` from a snapshot of the training module's compiled classes, so that a long
# experiment keeps its own code while the module is rebuilt (make experiments uses it for the same reason).
#   scripts/run_experiment.sh adding
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# PyTorch 2.7.1's oneDNN LSTM is wrong on AVX-512-BF16 CPUs; bin/stepwise and the Makefile set the same (README, Known issues).
export ONEDNN_MAX_CPU_ISA="${ONEDNN_MAX_CPU_ISA:-AVX2}"
snapshot="$(mktemp -d "${TMPDIR:-/tmp}/stepwise-experiment.XXXXXX")"
trap 'rm -rf "$snapshot"' EXIT
cp -r "$home/training/target/classes" "$snapshot/classes"
# shellcheck disable=SC2086
"${JAVA:-java}" ${JAVA_OPTS:--Xmx2g} -Djava.awt.headless=true -Dai.djl.offline=true -Dslf4j.internal.verbosity=ERROR \
    -Dstepwise.home="$home" -cp "$snapshot/classes:$(cat "$home/training/target/classpath.txt")" \
    io.stepwise.training.cli.StepwiseCli experiment "$@"
