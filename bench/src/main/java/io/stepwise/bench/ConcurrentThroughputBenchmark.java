package io.stepwise.bench;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Many concurrent sequences on one shared {@link RecurrentModel}: {@code sessions} sessions split evenly over the
 * benchmark threads (the suite runs min(sessions, cores) threads); one operation steps each of a thread's
 * sessions once, round-robin, as a server interleaves its clients. Steps per second = ops/s (summed over
 * threads by JMH) × sessions per thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConcurrentThroughputBenchmark {
    /** The one model every thread's sessions share. */
    @State(Scope.Benchmark)
    public static class SharedModel {
        @Param({"lstm"})
        public String cell;
        @Param({"256"})
        public int hidden;
        @Param({"1"})
        public int layers;
        @Param({"1"})
        public int sessions;

        RecurrentModel model;

        @Setup
        public void setup() {
            model = RecurrentModel.fromBytes(BenchModels.onnx(BenchModels.spec(cell, hidden, layers)));
        }

        @TearDown
        public void tearDown() {
            model.close();
        }
    }

    /** This thread's share of the sessions. */
    @State(Scope.Thread)
    public static class ThreadSessions {
        StepSession[] sessions;
        long steps;

        @Setup
        public void setup(SharedModel shared, ThreadParams thread) {
            int threads = thread.getThreadCount();
            if (shared.sessions % threads != 0) {
                throw new IllegalArgumentException("sessions: " + shared.sessions + " cannot be split evenly over "
                        + threads + " threads");
            }
            sessions = new StepSession[shared.sessions / threads];
            for (int i = 0; i < sessions.length; i++) {
                sessions[i] = shared.model.newSession();
            }
        }

        @TearDown
        public void tearDown() {
            for (StepSession s : sessions) {
                s.close();
            }
        }
    }

    @Benchmark
    public void stepAll(ThreadSessions mine, Blackhole blackhole) {
        long t = ++mine.steps;
        for (int i = 0; i < mine.sessions.length; i++) {
            blackhole.consume(mine.sessions[i].step(BenchModels.token(t + i)));
        }
    }
}
