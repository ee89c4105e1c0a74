# Stepwise — train recurrent models from Java, export to ONNX, run them on the JVM.
# `make demo` runs the main job, `make test` the tests; `make help` lists the rest.

SHELL := /bin/bash
MVN ?= mvn -B -q
PYTHON ?= /usr/bin/python3
MODELS ?= models
JAVA ?= java

# Each module that has a main class records its runtime class path in target/classpath.txt during the build.
DEMO_CP := examples/demo/target/classpath.txt
BENCH_CP := bench/target/classpath.txt
FUZZ_CP := fuzz/target/classpath.txt
STEPWISE := bin/stepwise

# One `make train` run; override on the command line, e.g. make train TASK=classify CELL=gru ARGS='--epochs 5'.
# It writes to build/models/ so that the committed defaults in models/ change only through `make models`.
TASK ?= language-model
CELL ?= lstm
ARGS ?=
TRAIN_OUT ?= build/models

.PHONY: help build cli demo test check-onnx models train verify bench soak fuzz fuzz-replay hostile-fixtures clean \
	experiments experiment

help:
	@echo "make demo     generate text, forecast CO2 and classify words with the default models (runtime jar only)"
	@echo "make test     run every test (what CI runs), then ONNX's checker over the exported samples"
	@echo "make check-onnx  run ONNX's checker over the sample models the conversion tests exported"
	@echo "make build    build every module without tests and record the class paths the targets below use"
	@echo "make cli      build only the PyTorch-free command line (generate, forecast, classify, inspect)"
	@echo "make models   train and export every default model into $(MODELS)/"
	@echo "make train    train one model into $(TRAIN_OUT)/: TASK=language-model|forecast|classify CELL=rnn|rnn-relu|lstm|gru ARGS='...'"
	@echo "make verify   re-check every model in $(MODELS)/ through the runtime (metrics, metadata) and ONNX's checker"
	@echo "make bench    run the benchmarks, write BENCHMARKS.md and benchmarks/results.json"
	@echo "make soak     step a model a million times and check memory outside the heap stays flat"
	@echo "make fuzz     fuzz model loading, session state and data readers, each case in a child JVM (FUZZ_SECONDS=600)"
	@echo "make fuzz-replay FUZZ_TARGET=model FUZZ_FILE=build/fuzz/crashes/...bin   rerun one saved case"
	@echo "make experiments  measure the textbook claims (docs/experiments/: pages, plots, JSON); two at a time, ~30 min"
	@echo "make experiment NAME=adding   run one experiment (gradient-flow, adding, truncated-bptt, gru-vs-lstm, cnn-vs-rnn)"
	@echo "make hostile-fixtures   regenerate the hostile-model regression fixtures from models/co2-rnn.onnx"
	@echo "make clean    remove build output"

# Builds all modules and records each runnable module's runtime class path for the java commands below and for
# bin/stepwise (cli/ and examples/demo/ record theirs while they build).
build:
	$(MVN) -DskipTests install
	$(MVN) -pl training,bench,fuzz dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime

# The command line that runs models, without DJL or PyTorch: runtime + cli only. bin/stepwise uses it when the
# training module is not built.
cli:
	$(MVN) -DskipTests -pl cli -am install

demo: build
	$(JAVA) -Xmx512m -cp "examples/demo/target/classes:$$(cat $(DEMO_CP))" io.stepwise.examples.demo.Demo $(MODELS)

# Not quiet: Surefire's per-class and total "Tests run" lines are the test report.
test:
	mvn -B -ntp verify
	$(MAKE) --no-print-directory check-onnx

# ONNX's own checker (Debian python3-onnx) over the sample models the conversion tests export.
check-onnx:
	$(PYTHON) scripts/check_onnx.py conversion/target/onnx-samples

models: build
	$(STEPWISE) models --out $(MODELS)

train: build
	$(STEPWISE) train --task $(TASK) --cell $(CELL) --out $(TRAIN_OUT) $(ARGS)

verify: build
	$(STEPWISE) verify $(MODELS)
	$(PYTHON) scripts/check_onnx.py $(MODELS)

# Full run ~15 min on 2 cores; BENCH_QUICK=1 make bench is a ~2-minute smoke run (fewer models, short iterations).
bench: build
	$(JAVA) -Xmx1g -Dai.djl.offline=true -cp "bench/target/classes:$$(cat $(BENCH_CP))" \
		io.stepwise.bench.BenchmarkSuite $(if $(filter 1,$(BENCH_QUICK)),--quick,)

# A fixed heap, so that resident memory measures native memory and not the heap growing to its default maximum.
SOAK_STEPS ?= 1000000
soak: build
	$(JAVA) -Xms64m -Xmx64m -cp "bench/target/classes:$$(cat $(BENCH_CP))" io.stepwise.bench.MemorySoak --check $(SOAK_STEPS)

# Structure-aware fuzzing (fuzz/): bounded by FUZZ_SECONDS and, if set, FUZZ_CASES. Findings are saved under
# $(FUZZ_OUT)/crashes (crashes, hangs) and $(FUZZ_OUT)/errors (undocumented exceptions) with a replay command.
FUZZ_SECONDS ?= 600
FUZZ_CASES ?= 0
FUZZ_SEED ?= 1
FUZZ_TARGETS ?= model:5,state:2,csv:1,corpus:1,words:1
FUZZ_TIMEOUT_MS ?= 10000
FUZZ_OUT ?= build/fuzz
fuzz: build
	nice -n 10 $(JAVA) -Xmx512m -cp "fuzz/target/classes:$$(cat $(FUZZ_CP))" io.stepwise.fuzz.FuzzMain \
	  --seconds $(FUZZ_SECONDS) --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) --targets $(FUZZ_TARGETS) --timeout-ms $(FUZZ_TIMEOUT_MS) --out $(FUZZ_OUT)

fuzz-replay: build
	$(JAVA) -Xmx512m -cp "fuzz/target/classes:$$(cat $(FUZZ_CP))" io.stepwise.fuzz.FuzzMain --replay $(FUZZ_TARGET) $(FUZZ_FILE)

hostile-fixtures:
	$(PYTHON) scripts/make_hostile_fixtures.py

# Textbook claims measured (issue 15). Fixed budgets and seeds, never wall-clock limits; each experiment runs in
# its own JVM from a snapshot of the compiled classes (scripts/run_experiment.sh) and writes its own files, two at a
# time on two cores (PyTorch uses one thread each); the summary is rebuilt from the JSON files at the end.
EXPERIMENTS ?= adding gradient-flow cnn-vs-rnn truncated-bptt gru-vs-lstm
EXPERIMENT_JOBS ?= 2
experiments: build
	printf '%s\n' $(EXPERIMENTS) | xargs -P $(EXPERIMENT_JOBS) -I{} scripts/run_experiment.sh {}
	$(STEPWISE) experiment --summary

experiment: build
	scripts/run_experiment.sh $(NAME)

clean:
	$(MVN) clean
