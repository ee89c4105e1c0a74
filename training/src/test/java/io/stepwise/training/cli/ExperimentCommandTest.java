package io.stepwise.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.experiments.Experiments;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stepwise experiment}: listing, the summary, and clear errors for bad names and scales. */
class ExperimentCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StepwiseCli.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void listNamesEveryExperiment() {
        Result r = run("experiment", "--list");
        assertEquals(0, r.code(), r.err());
        for (String name : Experiments.names()) {
            assertTrue(r.out().contains(name + " "), r.out());
        }
    }

    @Test
    void anUnknownExperimentIsBadInputNamingTheChoices() {
        Result r = run("experiment", "vanishing", "--out", dir.toString());
        assertEquals(StepwiseCli.BAD_INPUT, r.code());
        assertTrue(r.err().contains("NAME: expected one of gradient-flow, adding, truncated-bptt, gru-vs-lstm, "
                + "cnn-vs-rnn or all but got 'vanishing'"), r.err());
    }

    @Test
    void anUnknownScaleIsBadInput() {
        Result r = run("experiment", "adding", "--scale", "huge", "--out", dir.toString());
        assertEquals(StepwiseCli.BAD_INPUT, r.code());
        assertTrue(r.err().contains("--scale: expected quick or full but got 'huge'"), r.err());
    }

    @Test
    void summaryOfAnEmptyFolderWritesAnEmptyTable() throws Exception {
        Result r = run("experiment", "--summary", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String readme = Files.readString(dir.resolve("README.md"));
        assertTrue(readme.startsWith("# What the textbook says, measured"), readme);
    }
}
