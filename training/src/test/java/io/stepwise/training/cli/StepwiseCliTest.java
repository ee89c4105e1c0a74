package io.stepwise.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.tasks.TinyData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepwiseCliTest {
    @TempDir
    Path dir;

    /** Exit code and the two output streams of one command. */
    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static Run run(Object... args) {
        List<String> list = new ArrayList<>();
        for (Object a : args) {
            if (a instanceof String[] many) {
                list.addAll(List.of(many));
            } else {
                list.add(a.toString());
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StepwiseCli.execute(list.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run run, String... fragments) {
        assertEquals(StepwiseCli.BAD_INPUT, run.code(), run.all());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), "one line expected: " + err);
        assertTrue(err.startsWith("stepwise: error: "), err);
        assertFalse(run.all().contains("\tat "), "no stack trace expected: " + run.all());
        for (String f : fragments) {
            assertTrue(err.contains(f), "expected '" + f + "' in: " + err);
        }
    }

    @Test
    void classifierEndToEnd() throws Exception {
        Path words = TinyData.words(dir);
        Path model = dir.resolve("models").resolve("langid-gru.onnx");
        Run train = run("train", "--task", "classify", "--cell", "gru", "--hidden", "16", "--embedding", "8",
                "--epochs", "3", "--batch-size", "16", "--lr", "0.01", "--data", words, "--out", dir.resolve("models"),
                "--run-dir", dir.resolve("run"), "--progress", "OFF");
        assertEquals(0, train.code(), train.all());
        assertTrue(Files.isRegularFile(model), train.all());
        String card = Files.readString(dir.resolve("models").resolve("langid-gru.md"), StandardCharsets.UTF_8);
        assertTrue(card.contains("stepwise train --task classify --cell gru"), card);
        assertTrue(card.contains("naive Bayes"), card);
        assertFalse(card.contains("--progress"), "display options are not part of the recipe: " + card);

        Run inspect = run("inspect", model);
        assertEquals(0, inspect.code(), inspect.all());
        assertTrue(inspect.out().contains("classifier") && inspect.out().contains("alpha"), inspect.out());
        assertTrue(inspect.out().contains("parity"), inspect.out());

        Run evaluate = run("evaluate", model);
        assertEquals(0, evaluate.code(), evaluate.all());
        assertTrue(evaluate.out().contains("test_accuracy") && evaluate.out().contains("within 1 %"),
                evaluate.out());

        Run classify = run("classify", model, "aeioola", "kdbek");
        assertEquals(0, classify.code(), classify.all());
        assertTrue(classify.out().lines().anyMatch(l -> l.startsWith("aeioola") && l.contains("alpha")),
                classify.out());

        Run verify = run("verify", dir.resolve("models"));
        assertEquals(0, verify.code(), verify.all());
        assertTrue(verify.out().contains("OK   langid-gru.onnx"), verify.out());
        assertTrue(verify.out().lines().anyMatch(l -> l.startsWith("OK   langid-gru.onnx")
                && l.matches(".*parity \\d\\.\\de-\\d\\d ≤ 1e-05 over 6 cases.*")), verify.out());

        Files.write(dir.resolve("models").resolve("broken.onnx"), new byte[] {1, 2, 3});
        Run broken = run("verify", dir.resolve("models"));
        assertEquals(StepwiseCli.FAILURE, broken.code(), broken.all());
        assertTrue(broken.out().contains("FAIL broken.onnx"), broken.out());
    }

    @Test
    void languageModelAndForecasterEndToEnd() throws Exception {
        Path text = TinyData.text(dir);
        Path lm = dir.resolve("lm.onnx");
        Run train = run("train", "--task", "language-model", "--cell", "rnn", "--hidden", "16", "--embedding", "8",
                "--epochs", "1", "--batch-size", "4", "--bptt", "16", "--data", text, "--out", lm, "--run-dir",
                dir.resolve("run-lm"), "--progress", "OFF");
        assertEquals(0, train.code(), train.all());
        Run evaluate = run("evaluate", lm);
        assertEquals(0, evaluate.code(), evaluate.all());
        assertTrue(evaluate.out().contains("val_bpc"), evaluate.out());
        Run generate = run("generate", lm, "--prompt", "the ", "--max-tokens", "30", "--temperature", "0.8",
                "--top-k", "5", "--seed", "1");
        assertEquals(0, generate.code(), generate.all());
        assertTrue(generate.out().startsWith("the "), generate.out());
        assertEquals(run("generate", lm, "--prompt", "the ", "--max-tokens", "30", "--temperature", "0.8",
                "--top-k", "5", "--seed", "1").out(), generate.out(), "same seed, same text");
        Run beam = run("generate", lm, "--prompt", "a", "--max-tokens", "10", "--beam", "3");
        assertEquals(0, beam.code(), beam.all());

        Path csv = TinyData.series(dir);
        Path fc = dir.resolve("fc.onnx");
        Run trainForecast = run("train", "--task", "forecast", "--cell", "lstm", "--hidden", "8", "--epochs", "1",
                "--data", csv, TinyData.seriesOptions(), "--out", fc, "--run-dir", dir.resolve("run-fc"),
                "--progress", "OFF");
        assertEquals(0, trainForecast.code(), trainForecast.all());
        Run forecast = run("forecast", fc, "--horizon", "4");
        assertEquals(0, forecast.code(), forecast.all());
        // Dated weekly steps after the last of the 300 weekly rows.
        java.time.LocalDate last = java.time.LocalDate.of(2000, 1, 1).plusWeeks(299);
        assertTrue(forecast.out().contains(last.plusWeeks(4).toString()), forecast.out());
        assertFalse(forecast.out().contains(last.plusWeeks(5).toString()), forecast.out());
        Run evaluateForecast = run("evaluate", fc, "--data", csv);
        assertEquals(0, evaluateForecast.code(), evaluateForecast.all());
        assertTrue(evaluateForecast.out().contains("test_mase"), evaluateForecast.out());
    }

    @Test
    void resumeContinuesAnInterruptedRun() throws Exception {
        Path words = TinyData.words(dir);
        Object[] args = {"train", "--task", "classify", "--cell", "lstm", "--hidden", "8", "--embedding", "4",
            "--epochs", "2", "--max-minutes", "0.000001", "--data", words, "--out", dir.resolve("r.onnx"),
            "--run-dir", dir.resolve("run"), "--progress", "OFF"};
        Run first = run(args);
        assertEquals(0, first.code(), first.all());
        assertTrue(first.out().contains("--max-minutes"), first.out());
        Run again = run(args);
        assertOneLineError(again, "--run-dir", "--resume");
        List<Object> resume = new ArrayList<>(List.of(args));
        resume.add("--resume");
        Run resumed = run(resume.toArray());
        assertEquals(0, resumed.code(), resumed.all());
        assertTrue(resumed.out().contains("resuming"), resumed.out());
        String metrics = Files.readString(dir.resolve("run").resolve("metrics.json"));
        assertTrue(metrics.contains("\"epoch\": 1"), metrics);
        assertTrue(Files.readString(dir.resolve("r.md")).contains("2 of 2 epochs"));
    }

    @Test
    void badInputGivesOneLineAndExitCodeTwo() throws Exception {
        assertOneLineError(run("train", "--task", "classify", "--cell", "gru", "--data", dir.resolve("missing"),
                "--out", dir.resolve("x.onnx")), "--data", "missing");
        assertOneLineError(run("train", "--task", "classify", "--cell", "gru", "--hidden", "-3",
                "--out", dir.resolve("x.onnx")), "--hidden", "-3");
        assertOneLineError(run("train", "--task", "forecast", "--cell", "gru", "--epochs", "many"), "--epochs",
                "many");
        assertOneLineError(run("train", "--task", "poetry", "--cell", "gru"), "--task", "poetry");
        assertOneLineError(run("train", "--task", "classify", "--cell", "transformer"), "transformer");
        assertOneLineError(run("train", "--task", "classify", "--cell", "gru", "--lr", "0",
                "--out", dir.resolve("x.onnx")), "--lr");

        Path latin1 = dir.resolve("latin1.txt");
        byte[] text = ("caf" + "e".repeat(2000)).getBytes(StandardCharsets.ISO_8859_1);
        text[3] = (byte) 0xE9;
        Files.write(latin1, text);
        assertOneLineError(run("train", "--task", "language-model", "--cell", "gru", "--data", latin1,
                "--out", dir.resolve("x.onnx"), "--run-dir", dir.resolve("r1")), "latin1.txt");

        Path csv = TinyData.series(dir);
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        lines.set(7, lines.get(7).replaceAll(",.*", ",12..5"));
        Files.write(csv, lines);
        Run badCell = run("train", "--task", "forecast", "--cell", "gru", "--data", csv, TinyData.seriesOptions(),
                "--out", dir.resolve("x.onnx"), "--run-dir", dir.resolve("r2"));
        assertOneLineError(badCell, "tiny.csv", "line 8", "12..5");
        assertFalse(Files.exists(dir.resolve("x.onnx")));

        assertOneLineError(run("inspect", dir.resolve("nothing.onnx")), "nothing.onnx");
        Path notModel = dir.resolve("text.onnx");
        Files.writeString(notModel, "hello");
        assertOneLineError(run("evaluate", notModel), "text.onnx");
        assertOneLineError(run("verify", dir.resolve("no-such-folder")), "no-such-folder");
        assertOneLineError(run("models", "--out", dir, "--only", "charlm-xl"), "charlm-xl");

        Run verbose = run("inspect", dir.resolve("nothing.onnx"), "--verbose");
        assertEquals(StepwiseCli.BAD_INPUT, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "--verbose shows the stack trace");
    }

    @Test
    void commandLineIsRecordedQuoted() {
        assertEquals("stepwise train --data 'my file.txt'",
                StepwiseCli.commandLine(List.of("train", "--data", "my file.txt")));
    }
}
