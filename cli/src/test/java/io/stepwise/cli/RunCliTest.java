package io.stepwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.StepwiseVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run commands on the runtime alone, end to end against exported models. */
class RunCliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static Run run(Object... args) {
        List<String> list = new ArrayList<>();
        for (Object a : args) {
            list.add(a.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RunCli.execute(list.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run run, String... fragments) {
        assertEquals(CliRunner.BAD_INPUT, run.code(), run.all());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), "one line expected: " + err);
        assertTrue(err.startsWith("stepwise: error: "), err);
        assertFalse(run.all().contains("\tat "), "no stack trace expected: " + run.all());
        for (String f : fragments) {
            assertTrue(err.contains(f), "expected '" + f + "' in: " + err);
        }
    }

    @Test
    void generateStreamsReproducibleTextAndSupportsBeamSearch() throws Exception {
        Path lm = CliModels.languageModel(dir);
        Run generate = run("generate", lm, "--prompt", "ab", "--max-tokens", "20", "--temperature", "0.8",
                "--top-k", "3", "--seed", "4");
        assertEquals(0, generate.code(), generate.all());
        assertTrue(generate.out().startsWith("ab"), generate.out());
        assertEquals("ab".length() + 20 + System.lineSeparator().length(), generate.out().length(), generate.out());
        assertTrue(generate.err().contains("20 characters") && generate.err().contains("seed 4"), generate.err());
        assertEquals(generate.out(), run("generate", lm, "--prompt", "ab", "--max-tokens", "20", "--temperature",
                "0.8", "--top-k", "3", "--seed", "4").out(), "same seed, same text");
        Run beam = run("generate", lm, "--prompt", "a", "--max-tokens", "5", "--beam", "3");
        assertEquals(0, beam.code(), beam.all());
        assertTrue(beam.err().contains("beam_search"), beam.err());
        assertOneLineError(run("generate", lm, "--prompt", "a", "--greedy", "--beam", "2"), "--greedy", "--beam");
        assertOneLineError(run("generate", lm, "--prompt", "a", "--top-p", "1.5"), "--top-p");
    }

    @Test
    void forecastReadsTheRecordedDataAndHonoursHorizonAndContext() throws Exception {
        Path csv = dir.resolve("series.csv");
        Files.writeString(csv, "date,level\n2024-01,10\n2024-02,11\n2024-03,\n2024-04,12.5\n2024-05,13\n");
        Path fc = CliModels.forecaster(dir, csv.toString());
        Run byDefault = run("forecast", fc);
        assertEquals(0, byDefault.code(), byDefault.all());
        assertTrue(byDefault.out().contains("3 steps after 2024-05") && byDefault.out().contains("last 4 rows"),
                byDefault.out());
        // The steps are dated after the last time stamp (the rows are monthly).
        assertTrue(byDefault.out().contains("2024-08") && !byDefault.out().contains("2024-09"), byDefault.out());

        Run longer = run("forecast", fc, "--horizon", "5", "--context", "10", "--data", csv);
        assertEquals(0, longer.code(), longer.all());
        assertTrue(longer.out().contains("last 5 rows") && longer.out().contains("1 missing values"), longer.out());
        assertTrue(longer.out().contains("2024-10"), longer.out());

        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "date,level\n2024-01,10\n2024-02,1..1\n");
        assertOneLineError(run("forecast", fc, "--data", bad), "bad.csv", "line 3", "1..1");
        assertOneLineError(run("forecast", fc, "--data", dir.resolve("absent.csv")), "--data", "absent.csv");
        assertOneLineError(run("forecast", fc, "--horizon", "0"), "--horizon");
    }

    @Test
    void classifyRanksTheLabelsOfEveryWord() throws Exception {
        Path cls = CliModels.classifier(dir);
        Run classify = run("classify", cls, "abc", "dea", "--top", "2");
        assertEquals(0, classify.code(), classify.all());
        List<String> lines = classify.out().lines().toList();
        assertEquals(2, lines.size(), classify.out());
        assertTrue(lines.get(0).startsWith("abc") && lines.get(1).startsWith("dea"), classify.out());
        assertTrue(lines.get(0).matches(".*(alpha|beta|gamma).*%.*(alpha|beta|gamma) .*%"), lines.get(0));
        assertOneLineError(run("classify", cls, "abc", "--top", "0"), "--top");
    }

    @Test
    void inspectPrintsWhatTheFileHolds() throws Exception {
        Path cls = CliModels.classifier(dir);
        Run inspect = run("inspect", cls);
        assertEquals(0, inspect.code(), inspect.all());
        assertTrue(inspect.out().contains("classifier") && inspect.out().contains("alpha")
                && inspect.out().contains("gru × 1 layer, hidden 5, bidirectional"), inspect.out());
        assertTrue(inspect.out().startsWith(cls + " ("), inspect.out());
    }

    @Test
    void badInputGivesOneLineAndExitCodeTwo() throws Exception {
        assertOneLineError(run("inspect", dir.resolve("nothing.onnx")), "nothing.onnx");
        Path notModel = Files.writeString(dir.resolve("text.onnx"), "hello");
        assertOneLineError(run("generate", notModel, "--prompt", "a"), "text.onnx");
        assertOneLineError(run("forecast", CliModels.languageModel(dir)), "Forecaster");
        assertOneLineError(run("inspect"), "MODEL");
        Run verbose = run("inspect", dir.resolve("nothing.onnx"), "--verbose");
        assertEquals(CliRunner.BAD_INPUT, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "--verbose shows the stack trace");
    }

    @Test
    void versionComesFromTheBuild() {
        Run version = run("--version");
        assertEquals(0, version.code());
        assertEquals("stepwise " + StepwiseVersion.get(), version.out().strip());
        Run help = run();
        assertTrue(help.out().contains("generate") && help.out().contains("inspect") && !help.out().contains("  train "),
                help.out());
    }
}
