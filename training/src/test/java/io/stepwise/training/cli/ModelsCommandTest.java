package io.stepwise.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.training.TrainingOptions;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ModelsCommandTest {
    @Test
    void theNineRecipesParseIntoTheirNamedModels() {
        List<ModelsCommand.Recipe> recipes = ModelsCommand.recipes(Path.of("models"));
        assertEquals(9, recipes.size());
        Set<String> names = new HashSet<>();
        Set<TaskKind> tasks = new HashSet<>();
        for (ModelsCommand.Recipe recipe : recipes) {
            assertTrue(names.add(recipe.name()), "duplicate " + recipe.name());
            TrainCommand command = new TrainCommand();
            CommandLine cli = new CommandLine(command);
            List<String> args = recipe.arguments();
            cli.parseArgs(args.subList(1, args.size()).toArray(String[]::new));
            TrainingOptions options = command.options(args);
            assertEquals(Path.of("models", recipe.name() + ".onnx"), options.out());
            assertEquals(recipe.name(), TrainCommand.defaultName(options.task(), options.cell(), options.data()));
            assertEquals(0.0, options.maxMinutes(), "default models stop after fixed epochs, not a wall-clock limit");
            assertEquals(ModelsCommand.SEED, options.seed());
            assertTrue(args.contains("--epochs") && args.contains("--seed"), args.toString());
            assertTrue(options.commandLine().startsWith("stepwise train --task"), options.commandLine());
            tasks.add(options.task());
        }
        assertEquals(Set.of(TaskKind.LANGUAGE_MODEL, TaskKind.FORECAST, TaskKind.CLASSIFY), tasks);
        assertTrue(names.containsAll(List.of("charlm-lstm", "co2-gru", "langid-rnn")));
    }

    @Test
    void outFolderGetsTheDefaultFileName() {
        assertEquals(Path.of("out", "langid-rnn-relu.onnx"),
                TrainCommand.modelFile(Path.of("out"), TaskKind.CLASSIFY, CellKind.RNN_RELU, null));
        assertEquals(Path.of("x.onnx"), TrainCommand.modelFile(Path.of("x.onnx"), TaskKind.CLASSIFY, CellKind.GRU,
                null));
        assertEquals(Path.of("forecast-gru.onnx"), TrainCommand.modelFile(null, TaskKind.FORECAST, CellKind.GRU,
                Path.of("sunspots_yearly.csv")));
    }
}
