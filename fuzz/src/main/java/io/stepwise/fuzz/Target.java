package io.stepwise.fuzz;

import java.util.Arrays;

/** What a fuzz case exercises; the child runs it, the parent generates inputs for it. */
enum Target {
    /** RecurrentModel.fromBytes, a session, one step and a short feed: the public loading path. */
    MODEL("model"),
    /** ONNX Runtime alone: session creation from the bytes and one run on zero inputs; the unguarded baseline. */
    MODEL_RAW("model-raw"),
    /** SessionState.fromBytes, restore into a session of the seed model, one step. */
    STATE("state"),
    /**
     * A script of steps and feeds under run limits decoded from the case (chunks, timeouts, cancels, bad tokens):
     * every call matches an unlimited session or fails cleanly, leaving the state as it was.
     */
    LIMITS("limits"),
    /** SeriesCsv.read on a CSV file. */
    CSV("csv"),
    /** CharCorpus.builder().setFile(..).build() on a text file. */
    CORPUS("corpus"),
    /** WordLanguageDataset over a folder whose english.txt is the case (other languages from the seeds). */
    WORDS("words"),
    /** Checks the harness itself: an input starting with "crash" halts the JVM, "hang" never returns. */
    SELFTEST("selftest");

    private final String id;

    Target(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    static Target of(String id) {
        for (Target t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("target: expected one of "
                + Arrays.stream(values()).map(Target::id).toList() + " but got '" + id + "'");
    }
}
