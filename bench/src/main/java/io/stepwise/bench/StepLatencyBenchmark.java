package io.stepwise.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Latency of one step at batch 1 (SampleTime: every call's duration is sampled, so p50/p99 are available), for
 * each {@link Stepper.Kind}. The state is carried across calls as in generation; it is reset every 4096 steps so
 * a long run stays in the same numeric regime (the reset is a few hundred nanoseconds at most and rare).
 * Iteration settings come from {@link BenchmarkSuite}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StepLatencyBenchmark {
    @Param({"stepwise"})
    public String impl;
    @Param({"lstm"})
    public String cell;
    @Param({"128"})
    public int hidden;
    @Param({"1"})
    public int layers;
    @Param({"1"})
    public int intraOpThreads;
    @Param({"false"})
    public boolean spinning;

    private Stepper stepper;
    private long steps;

    @Setup
    public void setup() {
        stepper = Stepper.create(Stepper.Kind.fromId(impl), cell, hidden, layers, intraOpThreads, spinning);
    }

    @Benchmark
    public float[] step() {
        if ((++steps & 4095) == 0) {
            stepper.reset();
        }
        return stepper.step(BenchModels.token(steps));
    }

    @TearDown
    public void tearDown() {
        stepper.close();
    }
}
