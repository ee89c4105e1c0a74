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
STEPWISE := bin/stepwise

# One `make train` run; override on the command line, e.g. make train TASK=classify CELL=gru ARGS='--epochs 5'.
# It writes to build/models/ so that the committed defaults in models/ change only through `make models`.
TASK ?= language-model
CELL ?= lstm
ARGS ?=
TRAIN_OUT ?= build/models

.PHONY: help build cli demo test models train verify bench soak clean check-onnx

help:
	@echo "make demo     generate text, forecast CO2 and classify words with the default models (runtime jar only)"
	@echo "make test     run every test (what CI runs)"
	@echo "make cli      build only the PyTorch-free command line (generate, forecast, classify, inspect)"
	@echo "make models   train and export every default model into $(MODELS)/"
	@echo "make train    train one model into $(TRAIN_OUT)/: TASK=language-model|forecast|classify CELL=rnn|rnn-relu|lstm|gru ARGS='...'"
	@echo "make verify   re-check every model in $(MODELS)/ through the runtime (metrics, metadata) and ONNX's checker"
	@echo "make bench    run the benchmarks, write BENCHMARKS.md and benchmarks/results.json"
	@echo "make soak     step a model a million times and check memory outside the heap stays flat"
	@echo "make clean    remove build output"

# Builds all modules and records each runnable module's runtime class path for the java commands below and for
# bin/stepwise (cli/ and examples/demo/ record theirs while they build).
build:
	$(MVN) -DskipTests install
	$(MVN) -pl training,bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime

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

clean:
	$(MVN) clean
