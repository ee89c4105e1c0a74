package io.stepwise.bench;

/**
 * One way of running a recurrent model one token at a time with its state carried between calls; the thing the
 * step-latency benchmark times. Each implementation returns the head's output for the step as a fresh array.
 */
public interface Stepper extends AutoCloseable {
    /** Feeds {@code token} and returns the step's output (vocabulary logits). */
    float[] step(int token);

    /** Back to the zero state. */
    void reset();

    @Override
    void close();

    /** The implementations compared, by their benchmark parameter value. */
    enum Kind {
        /** Stepwise's {@code StepSession.step}. */
        STEPWISE("stepwise"),
        /** Raw ONNX Runtime, input tensor reused, state carried as the previous run's output tensors. */
        ORT_FLOOR("ort_floor"),
        /** Raw ONNX Runtime with every output pre-allocated and pinned, state double-buffered: no allocation. */
        ORT_PINNED("ort_pinned"),
        /** Raw ONNX Runtime used naively: new tensors from Java arrays each call, state copied back to arrays. */
        ORT_NAIVE("ort_naive"),
        /** The same network as a DJL block on the PyTorch engine, one forward of one token per step. */
        DJL("djl");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Kind fromId(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("impl: expected one of stepwise, ort_floor, ort_pinned, ort_naive, djl but got '"
                    + id + "'");
        }
    }

    /**
     * Creates a stepper of {@code kind} for the benchmark model ({@link BenchModels}) of this shape.
     *
     * @param intraOpThreads ONNX Runtime intra-op threads (PyTorch's intra-op threads for DJL)
     * @param spinning       whether ONNX Runtime's idle pool threads busy-wait (ignored by DJL)
     */
    static Stepper create(Kind kind, String cell, int hidden, int layers, int intraOpThreads, boolean spinning) {
        var spec = BenchModels.spec(cell, hidden, layers);
        var weights = BenchModels.weights(spec);
        return switch (kind) {
            case STEPWISE -> new StepwiseStepper(BenchModels.onnx(spec, weights), intraOpThreads, spinning);
            case ORT_FLOOR -> new OrtFloorStepper(BenchModels.onnx(spec, weights), spec, intraOpThreads, spinning);
            case ORT_PINNED -> new OrtPinnedStepper(BenchModels.onnx(spec, weights), spec, intraOpThreads, spinning);
            case ORT_NAIVE -> new OrtNaiveStepper(BenchModels.onnx(spec, weights), spec, intraOpThreads, spinning);
            case DJL -> new DjlStepper(spec, weights, intraOpThreads);
        };
    }
}
