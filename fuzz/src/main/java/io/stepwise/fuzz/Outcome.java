package io.stepwise.fuzz;

/**
 * How one case ended. {@code kind} groups cases that failed the same way (an exception class and where it was
 * thrown, a native frame, a target that hung); {@code detail} is the message.
 */
record Outcome(String status, String kind, String detail) {
    /** Ran to the end with finite outputs. */
    static final String OK = "ok";
    /** Ran, but an output or the state held NaN or infinity (silent corruption). */
    static final String NON_FINITE = "nonfinite";
    /** Refused by the structural model validator before ONNX Runtime saw the bytes. */
    static final String REFUSED_VALIDATOR = "refused-validator";
    /** Refused with a documented exception (StepwiseException, IllegalArgumentException, ...). */
    static final String REFUSED = "refused";
    /** An undocumented exception or error (OutOfMemoryError, BufferUnderflowException, ...): a bug. */
    static final String ERROR = "error";
    /** The child JVM died (SIGSEGV, abort, halt). */
    static final String CRASH = "crash";
    /** The case ran past its timeout; the parent killed the child. */
    static final String HANG = "hang";

    boolean isFinding() {
        return status.equals(ERROR) || status.equals(CRASH) || status.equals(HANG);
    }

    /** One line of the child protocol: status, kind and detail separated by tabs, no newlines. */
    String toLine() {
        return status + "\t" + clean(kind) + "\t" + clean(detail);
    }

    static Outcome parse(String line) {
        String[] parts = line.split("\t", 3);
        return new Outcome(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
    }

    private static String clean(String s) {
        String one = s == null ? "" : s.replaceAll("[\\t\\r\\n]+", " ");
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }
}
