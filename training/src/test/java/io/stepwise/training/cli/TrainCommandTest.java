package io.stepwise.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.tasks.protocol.Setting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line names the training settings by their options, in the messages of the training code. */
class TrainCommandTest {
    /** The error line of {@code stepwise train <args>}, without its {@code stepwise: error: } prefix. */
    private static String error(String... args) {
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        int code = StepwiseCli.execute(all.toArray(String[]::new), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(StepwiseCli.BAD_INPUT, code, err.toString());
        String line = err.toString().strip();
        assertTrue(line.startsWith("stepwise: error: ") && !line.contains("\n"), line);
        return line.substring("stepwise: error: ".length());
    }

    private static String[] classify(String... more) {
        List<String> args = new ArrayList<>(List.of("--task", "classify", "--cell", "lstm", "--out", "m.onnx"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void badValuesNameTheOptionAndTheValue() {
        assertEquals("--hidden: expected ≥ 1 but got 0", error(classify("--hidden", "0")));
        assertEquals("--dropout: expected a rate in [0, 1) but got 1.5", error(classify("--dropout", "1.5")));
        assertEquals("--lr: expected a learning rate in (0, 1] but got -1.0", error(classify("--lr", "-1")));
        assertEquals("--horizon: expected at most --test-length (10) but got 20", error("--task", "forecast",
                "--cell", "gru", "--out", "m.onnx", "--horizon", "20", "--test-length", "10"));
        assertEquals("--resume: needs --run-dir, the folder of the run to continue", error(classify("--resume")));
        assertEquals("--batch-size: expected ≥ 1 but got 0", error(classify("--batch-size", "0")));
        assertEquals("--label-smoothing: expected a share in [0, 1) but got 1.0",
                error(classify("--label-smoothing", "1")));
        assertEquals("--token-dropout: applies to a word classifier only, not to a language-model model (use 0)",
                error("--task", "language-model", "--cell", "gru", "--out", "m.onnx", "--token-dropout", "0.1"));
        assertEquals("--weight-decay: expected a factor in [0, 1] but got 2.0",
                error(classify("--weight-decay", "2")));
        String task = error("--task", "poems", "--cell", "gru");
        assertTrue(task.startsWith("--task:") && task.contains("'poems'"), task);
        String cell = error("--task", "classify", "--cell", "transformer");
        assertTrue(cell.startsWith("--cell:") && cell.contains("transformer"), cell);
    }

    @Test
    void everySettingHasAnOptionOfTheTrainCommand() {
        Set<String> options = new CommandLine(new TrainCommand()).getCommandSpec().options().stream()
                .flatMap(o -> java.util.Arrays.stream(o.names())).collect(Collectors.toSet());
        for (Setting setting : Setting.values()) {
            String option = TrainCommand.option(setting);
            assertTrue(option.startsWith("--") && options.contains(option), setting + " → " + option);
        }
        assertEquals("--run-dir", TrainCommand.option(Setting.RUN_DIRECTORY));
        assertEquals("--lr", TrainCommand.option(Setting.LEARNING_RATE));
        assertEquals("--batch-size", TrainCommand.option(Setting.BATCH_SIZE));
    }
}
