# Stepwise — train recurrent models from Java, export to ONNX, run them on the JVM.
# `make demo` runs the main job, `make test` the tests; `make help` lists the rest.

SHELL := /bin/bash
MVN ?= mvn -B -q
PYTHON ?= /usr/bin/python3
MODELS ?= models
JAVA ?= java

RUNTIME_JAR := runtime/target/stepwise-runtime-0.1.0-SNAPSHOT.jar
RUNTIME_CP := runtime/target/classpath.txt
TRAINING_CP := training/target/classpath.txt
STEPWISE := bin/stepwise

# One `make train` run; override on the command line, e.g. make train TASK=classify CELL=gru ARGS='--epochs 5'.
# It writes to build/models/ so that the committed defaults in models/ change only through `make models`.
TASK ?= language-model
CELL ?= lstm
ARGS ?=
TRAIN_OUT ?= build/models

.PHONY: help build demo test models train verify bench soak fuzz fuzz-build fuzz-replay hostile-fixtures clean check-onnx

help:
	@echo "make demo     generate text, forecast CO2 and classify words with the default models (runtime jar only)"
	@echo "make test     run every test (what CI runs)"
	@echo "make models   train and export every default model into $(MODELS)/"
	@echo "make train    train one model into $(TRAIN_OUT)/: TASK=language-model|forecast|classify CELL=rnn|rnn-relu|lstm|gru ARGS='...'"
	@echo "make verify   re-check every model in $(MODELS)/ through the runtime (metrics, metadata) and ONNX's checker"
	@echo "make bench    run the benchmarks, write BENCHMARKS.md and benchmarks/results.json"
	@echo "make soak     step a model a million times and check resident memory stays flat"
	@echo "make fuzz     fuzz model loading, session state and data readers, each case in a child JVM (FUZZ_SECONDS=600)"
	@echo "make fuzz-replay FUZZ_TARGET=model FUZZ_FILE=build/fuzz/crashes/...bin   rerun one saved case"
	@echo "make hostile-fixtures   regenerate the hostile-model regression fixtures from models/co2-rnn.onnx"
	@echo "make clean    remove build output"

# Builds all modules and records each module's runtime classpath for the java commands below.
build:
	$(MVN) -DskipTests install
	$(MVN) -pl runtime,training dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime

demo: build
	$(JAVA) -Xmx512m -cp "$(RUNTIME_JAR):$$(cat $(RUNTIME_CP))" io.stepwise.runtime.demo.Demo $(MODELS)

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
	$(MVN) -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
	$(JAVA) -Xmx1g -Dai.djl.offline=true -cp "bench/target/classes:$$(cat bench/target/classpath.txt)" \
		io.stepwise.bench.BenchmarkSuite $(if $(filter 1,$(BENCH_QUICK)),--quick,)

# A fixed heap, so that resident memory measures native memory and not the heap growing to its default maximum.
SOAK_STEPS ?= 1000000
soak: build
	$(MVN) -pl runtime dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	$(JAVA) -Xms64m -Xmx64m -cp "runtime/target/test-classes:runtime/target/classes:$$(cat runtime/target/test-classpath.txt)" \
	  io.stepwise.runtime.tools.Soak $(SOAK_STEPS)

# Structure-aware fuzzing (fuzz/): bounded by FUZZ_SECONDS and, if set, FUZZ_CASES. Findings are saved under
# $(FUZZ_OUT)/crashes (crashes, hangs) and $(FUZZ_OUT)/errors (undocumented exceptions) with a replay command.
FUZZ_SECONDS ?= 600
FUZZ_CASES ?= 0
FUZZ_SEED ?= 1
FUZZ_TARGETS ?= model:5,state:2,csv:1,corpus:1,words:1
FUZZ_TIMEOUT_MS ?= 10000
FUZZ_OUT ?= build/fuzz
FUZZ_CP = fuzz/target/classes:$$(cat fuzz/target/classpath.txt)
fuzz-build:
	$(MVN) -DskipTests install
	$(MVN) -pl fuzz dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime

fuzz: fuzz-build
	nice -n 10 $(JAVA) -Xmx512m -cp "$(FUZZ_CP)" io.stepwise.fuzz.FuzzMain --seconds $(FUZZ_SECONDS) \
	  --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) --targets $(FUZZ_TARGETS) --timeout-ms $(FUZZ_TIMEOUT_MS) --out $(FUZZ_OUT)

fuzz-replay: fuzz-build
	$(JAVA) -Xmx512m -cp "$(FUZZ_CP)" io.stepwise.fuzz.FuzzMain --replay $(FUZZ_TARGET) $(FUZZ_FILE)

hostile-fixtures:
	$(PYTHON) scripts/make_hostile_fixtures.py

clean:
	$(MVN) clean
