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

/**
 * Prefill: consuming a {@value #PROMPT}-token prompt with one {@code StepSession.feed} call versus
 * {@value #PROMPT} {@code step} calls. One operation is the whole prompt from a reset session.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PrefillBenchmark {
    /** Prompt length. */
    public static final int PROMPT = 256;

    @Param({"feed"})
    public String method;
    @Param({"lstm"})
    public String cell;
    @Param({"256"})
    public int hidden;
    @Param({"1"})
    public int layers;

    private RecurrentModel model;
    private StepSession session;
    private final int[] prompt = new int[PROMPT];

    @Setup
    public void setup() {
        if (!method.equals("feed") && !method.equals("steps")) {
            throw new IllegalArgumentException("method: expected feed or steps but got '" + method + "'");
        }
        model = RecurrentModel.fromBytes(BenchModels.onnx(BenchModels.spec(cell, hidden, layers)));
        session = model.newSession();
        for (int i = 0; i < PROMPT; i++) {
            prompt[i] = BenchModels.token(i);
        }
    }

    @Benchmark
    public void prefill(Blackhole blackhole) {
        session.reset();
        if (method.equals("feed")) {
            blackhole.consume(session.feed(prompt));
        } else {
            for (int token : prompt) {
                blackhole.consume(session.step(token));
            }
        }
    }

    @TearDown
    public void tearDown() {
        session.close();
        model.close();
    }
}
