# Stepwise — train recurrent models from Java, export to ONNX, run them on the JVM.
# `make demo` runs the main job, `make test` the tests; `make help` lists the rest.

SHELL := /bin/bash
# PyTorch 2.7.1's oneDNN LSTM is wrong on AVX-512-BF16 CPUs (README, Known issues): every java run here caps it at AVX2.
export ONEDNN_MAX_CPU_ISA ?= AVX2
MVN ?= mvn -B -q
PYTHON ?= /usr/bin/python3
MODELS ?= models
JAVA ?= java

# Each module that has a main class records its runtime class path in target/classpath.txt during the build.
DEMO_CP := examples/demo/target/classpath.txt
SERVICE_CP := examples/service/target/classpath.txt
BENCH_CP := bench/target/classpath.txt
FUZZ_CP := fuzz/target/classpath.txt
STEPWISE := bin/stepwise

# One `make train` run; override on the command line, e.g. make train TASK=classify CELL=gru ARGS='--epochs 5'.
# It writes to build/models/ so that the committed defaults in models/ change only through `make promote-models`.
TASK ?= language-model
CELL ?= lstm
ARGS ?=
TRAIN_OUT ?= build/models
CELL_FC ?= gru
# `make models` trains the defaults here and compares them with $(MODELS); `make promote-models` copies the better ones.
MODELS_OUT ?= build/default-models

.PHONY: help build cli demo serve flink-build flink-demo flink-job-jar flink-bench test check-onnx models promote-models train verify bench soak fuzz fuzz-replay hostile-fixtures bench-batching stress load-test clean \
	forecast-check experiments experiment

help:
	@echo "make demo     generate text, forecast CO2 and classify words with the default models (runtime jar only)"
	@echo "make serve    start the reference HTTP service on $(MODELS)/ at http://127.0.0.1:$(PORT)/ (STORE=memory|redis, REDIS_PORT, SERVE_ARGS='--name=value ...')"
	@echo "make test     run every test (what CI runs), then ONNX's checker over the exported samples"
	@echo "make check-onnx  run ONNX's checker over the sample models the conversion tests exported"
	@echo "make build    build every module without tests and record the class paths the targets below use"
	@echo "make cli      build only the PyTorch-free command line (generate, forecast, classify, inspect)"
	@echo "make models   train every default model (fixed epochs and seeds) into $(MODELS_OUT)/ and compare each, metric by metric, with $(MODELS)/ (COMPARISON.md); $(MODELS)/ is not touched"
	@echo "make promote-models   copy the models of $(MODELS_OUT)/ that beat those in $(MODELS)/ on their primary metric (ONLY=langid-gru,... FORCE=1)"
	@echo "make train    train one model into $(TRAIN_OUT)/: TASK=language-model|forecast|classify CELL=rnn|rnn-relu|lstm|gru ARGS='...'"
	@echo "make forecast-check   train forecasters with the defaults on public series from R (r-base-core), MASE vs seasonal naive"
	@echo "make verify   re-check every model in $(MODELS)/ through the runtime (metrics, metadata) and ONNX's checker"
	@echo "make bench    run the benchmarks, write BENCHMARKS.md and benchmarks/results.json"
	@echo "make bench-batching  only the continuous-batching section: writes benchmarks/batching.{json,md} (~6 min; BENCH_QUICK=1: ~1 min; BATCHING_ONLY=64: that comparison alone, printed)"
	@echo "make stress   256 threads, thousands of batched sessions, snapshot/restore and eviction for STRESS_SECONDS (60); counts every step"
	@echo "make soak     step a model a million times and check memory outside the heap stays flat"
	@echo "make fuzz     fuzz model loading, session state and data readers, each case in a child JVM (FUZZ_SECONDS=600)"
	@echo "make fuzz-replay FUZZ_TARGET=model FUZZ_FILE=build/fuzz/crashes/...bin   rerun one saved case"
	@echo "make experiments  measure the textbook claims (docs/experiments/: pages, plots, JSON); two at a time, ~30 min"
	@echo "make experiment NAME=adding   run one experiment (gradient-flow, adding, truncated-bptt, gru-vs-lstm, cnn-vs-rnn)"
	@echo "make hostile-fixtures   regenerate the hostile-model regression fixtures from models/co2-rnn.onnx"
	@echo "make load-test  2 replicas of the service behind nginx, Redis, load + faults → benchmarks/load-test.md (LOAD_QUICK=1: smoke run)"
	@echo "make flink-demo     many CO2 sensor series through the Flink operator on an embedded mini cluster"
	@echo "make flink-job-jar  flink/target/stepwise-flink-*-job.jar for flink run on a real cluster"
	@echo "make flink-bench    Flink events/s and events per CPU-second, bundled vs per-event; BENCHMARKS.md + benchmarks/flink.json"
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

# The reference service (docs/service-api.md) on loopback. STORE=redis shares session states with other replicas
# through the redis-server on 127.0.0.1:$(REDIS_PORT), which must be running; SERVE_ARGS passes any other setting.
PORT ?= 8080
STORE ?= memory
REDIS_PORT ?= 6379
SERVE_ARGS ?=
serve:
	$(MVN) -DskipTests -pl examples/service -am install
	$(JAVA) -Xmx1g -cp "examples/service/target/classes:$$(cat $(SERVICE_CP))" io.stepwise.examples.service.ServiceApplication \
		--stepwise.models-dir=$(MODELS) --server.port=$(PORT) --stepwise.store.type=$(STORE) \
		--spring.data.redis.port=$(REDIS_PORT) --management.health.redis.enabled=$(if $(filter redis,$(STORE)),true,false) \
		$(SERVE_ARGS)

# Not quiet: Surefire's per-class and total "Tests run" lines are the test report.
test:
	mvn -B -ntp verify
	$(MAKE) --no-print-directory check-onnx

# ONNX's own checker (Debian python3-onnx) over the sample models the conversion tests export.
check-onnx:
	$(PYTHON) scripts/check_onnx.py conversion/target/onnx-samples

models: build
	$(STEPWISE) models --out $(MODELS_OUT) --compare $(MODELS) $(if $(ONLY),--only $(ONLY),)

promote-models: build
	$(STEPWISE) models --promote $(MODELS_OUT) --out $(MODELS) $(if $(ONLY),--only $(ONLY),) $(if $(filter 1,$(FORCE)),--force,)

train: build
	$(STEPWISE) train --task $(TASK) --cell $(CELL) --out $(TRAIN_OUT) $(ARGS)

# Issue 14's check: default forecasters on public series the project does not ship (needs Debian's r-base-core).
forecast-check: build
	scripts/forecast_public_series.sh $(CELL_FC)

verify: build
	$(STEPWISE) verify $(MODELS)
	$(PYTHON) scripts/check_onnx.py $(MODELS)

# Full run ~15 min on 2 cores; BENCH_QUICK=1 make bench is a ~2-minute smoke run (fewer models, short iterations).
bench: build
	$(JAVA) -Xmx1g -Dai.djl.offline=true -cp "bench/target/classes:$$(cat $(BENCH_CP))" \
		io.stepwise.bench.BenchmarkSuite $(if $(filter 1,$(BENCH_QUICK)),--quick,)

# The continuous-batching section of make bench, alone: (a) sessions on N threads, (b) BatchingModel, (c) raw ONNX
# Runtime on the full batch, interleaved and repeated; defaults sweep; memory of idle sessions (child JVM).
# BATCHING_ONLY=1,64 runs only the comparison at those numbers of sequences (BATCHING_REPEATS, 5) and prints it
# without writing anything: the quick check of a change to the batching path.
BATCHING_REPEATS ?= 5
bench-batching: build
	$(JAVA) -Xmx2g -Dai.djl.offline=true -cp "bench/target/classes:$$(cat $(BENCH_CP))" \
		io.stepwise.bench.BatchingBenchmark $(if $(BATCHING_ONLY),--only $(BATCHING_ONLY) --repeats $(BATCHING_REPEATS),--out . $(if $(filter 1,$(BENCH_QUICK)),--quick,))

# Not part of make test: 256 caller threads over thousands of batched sessions with random snapshot/restore and
# eviction (with a store) for STRESS_SECONDS; every step is counted and checked, no exception may escape.
STRESS_SECONDS ?= 60
stress:
	mvn -B -ntp -pl runtime -am install -DskipTests -q
	mvn -B -ntp -pl runtime test -Dtest=BatchingStress -Dsurefire.failIfNoSpecifiedTests=false \
		-Dstepwise.stress.seconds=$(STRESS_SECONDS) -Dstepwise.stress=true

# A fixed heap, so that resident memory measures native memory and not the heap growing to its default maximum.
SOAK_STEPS ?= 1000000
soak: build
	$(JAVA) -Xms64m -Xmx64m -cp "bench/target/classes:$$(cat $(BENCH_CP))" io.stepwise.bench.MemorySoak --check $(SOAK_STEPS)

# Structure-aware fuzzing (fuzz/): bounded by FUZZ_SECONDS and, if set, FUZZ_CASES. Findings are saved under
# $(FUZZ_OUT)/crashes (crashes, hangs) and $(FUZZ_OUT)/errors (undocumented exceptions) with a replay command.
FUZZ_SECONDS ?= 600
FUZZ_CASES ?= 0
FUZZ_SEED ?= 1
FUZZ_TARGETS ?= model:5,state:2,limits:1,csv:1,corpus:1,words:1
FUZZ_TIMEOUT_MS ?= 10000
FUZZ_OUT ?= build/fuzz
fuzz: build
	nice -n 10 $(JAVA) -Xmx512m -cp "fuzz/target/classes:$$(cat $(FUZZ_CP))" io.stepwise.fuzz.FuzzMain \
	  --seconds $(FUZZ_SECONDS) --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) --targets $(FUZZ_TARGETS) --timeout-ms $(FUZZ_TIMEOUT_MS) --out $(FUZZ_OUT)

fuzz-replay: build
	$(JAVA) -Xmx512m -cp "fuzz/target/classes:$$(cat $(FUZZ_CP))" io.stepwise.fuzz.FuzzMain --replay $(FUZZ_TARGET) $(FUZZ_FILE)

# Flink (flink/): Flink itself is a provided dependency, so the local runs put it on the class path from
# flink/target/classpath.txt; Java 17 needs Flink's usual --add-opens.
FLINK_CP := flink/target/classpath.txt
FLINK_TEST_CP := flink/target/test-classpath.txt
FLINK_JAVA_OPTS := $(foreach p,java.lang java.util java.lang.reflect java.io java.net java.nio java.time java.util.concurrent java.util.concurrent.atomic java.text sun.nio.ch,--add-opens=java.base/$(p)=ALL-UNNAMED)
FLINK_DEMO := build/flink-demo
FLINK_MODEL ?= $(MODELS)/co2-lstm.onnx
flink-build:
	$(MVN) -DskipTests -pl flink -am install

flink-demo: flink-build
	mkdir -p $(FLINK_DEMO)
	$(PYTHON) scripts/make_flink_demo_data.py --out $(FLINK_DEMO)/sensors.csv --sensors 200 --weeks 520 2> $(FLINK_DEMO)/spikes.txt || (cat $(FLINK_DEMO)/spikes.txt; exit 1)
	@echo "injected spikes:"; grep '^spike' $(FLINK_DEMO)/spikes.txt
	rm -rf $(FLINK_DEMO)/out
	$(JAVA) -Xmx1g $(FLINK_JAVA_OPTS) -cp "flink/target/classes:$$(cat $(FLINK_CP))" io.stepwise.flink.example.SeriesMonitorJob \
	  --input $(FLINK_DEMO)/sensors.csv --model $(FLINK_MODEL) --output $(FLINK_DEMO)/out --parallelism 2
	@echo "forecast rows: $$(cat $(FLINK_DEMO)/out/forecasts/*/* | wc -l), rejected: $$(cat $(FLINK_DEMO)/out/rejected/*/* | wc -l) (in $(FLINK_DEMO)/out/)"

flink-job-jar:
	$(MVN) -DskipTests -pl flink -am -Pjob-jar package
	@ls -l flink/target/stepwise-flink-*-job.jar

FLINK_BENCH_ARGS ?=
flink-bench: flink-build
	$(MVN) -pl flink test-compile
	nice -n 5 $(JAVA) -Xmx1g $(FLINK_JAVA_OPTS) -cp "flink/target/test-classes:flink/target/classes:$$(cat $(FLINK_TEST_CP))" io.stepwise.flink.FlinkBenchmark $(FLINK_BENCH_ARGS)

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

# Replicas of the reference service behind nginx with sessions in Redis, under load and faults (scripts/load-test.sh);
# ~10 minutes; LOAD_QUICK=1 make load-test is a ~2-minute smoke run that writes its report under build/load/;
# LOAD_PHASES=overload scripts/load-test.sh runs the overload phase alone (see the script's header).
load-test:
	$(MVN) -DskipTests -pl load,examples/service -am install
	scripts/load-test.sh
