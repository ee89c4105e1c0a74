package io.stepwise.training.tasks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The recipes of the nine default models (three tasks × rnn, lstm, gru), as {@code stepwise train} arguments, so
 * that each model card's command reproduces its model exactly. Sized to train in about 1.5 minutes each on two
 * CPU cores ({@code --max-minutes} is a safety net that stops after the epoch in progress).
 */
public final class DefaultModels {
    private DefaultModels() {
    }

    /** One default model: its name and the {@code train} arguments that make it. */
    public record Recipe(String name, List<String> arguments) {
        public Recipe {
            arguments = List.copyOf(arguments);
        }
    }

    /** The nine recipes, writing into {@code folder}. */
    public static List<Recipe> recipes(Path folder) {
        List<Recipe> recipes = new ArrayList<>();
        for (String cell : List.of("rnn", "lstm", "gru")) {
            recipes.add(recipe(folder, "charlm-" + cell, List.of("--task", "language-model", "--cell", cell,
                    "--epochs", "5", "--max-minutes", "2.5")));
        }
        for (String cell : List.of("rnn", "lstm", "gru")) {
            // The GRU learns the seasonal cycle in about 8 epochs at the default learning rate. At that rate the
            // LSTM and the tanh RNN jump between a smooth mean and over-shooting cycles from epoch to epoch; a third
            // of it over 40 epochs lets the LSTM leave its plateau (about epoch 23) and settle below the
            // seasonal-naive MASE. The tanh RNN improves with the same change but stays above it.
            recipes.add(recipe(folder, "co2-" + cell, cell.equals("gru")
                    ? List.of("--task", "forecast", "--cell", cell, "--epochs", "20", "--max-minutes", "1.5")
                    : List.of("--task", "forecast", "--cell", cell, "--epochs", "40", "--lr", "0.003",
                            "--max-minutes", "2.5")));
        }
        for (String cell : List.of("rnn", "lstm", "gru")) {
            recipes.add(recipe(folder, "langid-" + cell, List.of("--task", "classify", "--cell", cell,
                    "--epochs", "4", "--max-minutes", "2")));
        }
        return recipes;
    }

    private static Recipe recipe(Path folder, String name, List<String> options) {
        List<String> args = new ArrayList<>();
        args.add("train");
        args.addAll(options);
        args.add("--out");
        args.add(folder.resolve(name + ".onnx").toString());
        return new Recipe(name, args);
    }
}
