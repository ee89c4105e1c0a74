package io.stepwise.training.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.stepwise.training.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code docs/experiments/README.md}: every claim of every experiment whose JSON is in the folder, one line each
 * with its verdict, numbers and reproducing command, plus each run's wall-clock and CPU time. Rebuilt from the
 * JSON files after every experiment, so it always matches what is committed next to it.
 */
public final class ExperimentsSummary {
    private ExperimentsSummary() {
    }

    /** Rewrites {@code folder/README.md} from the {@code <experiment>.json} files there. */
    public static void write(Path folder) throws IOException {
        List<JsonObject> reports = new ArrayList<>();
        for (String name : Experiments.names()) {
            Path json = folder.resolve(name + ".json");
            if (Files.isRegularFile(json)) {
                reports.add(JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject());
            }
        }
        AtomicFiles.writeString(folder.resolve("README.md"), markdown(reports));
    }

    static String markdown(List<JsonObject> reports) {
        StringBuilder sb = new StringBuilder();
        sb.append("# What the textbook says, measured\n\n");
        sb.append("Claims every introduction to recurrent networks makes, measured with Stepwise's own training code"
                + " (DJL on PyTorch, CPU). Each experiment has a page with its setup, tables and plots, and a JSON"
                + " file with every number. Budgets are fixed counts (steps, sizes, seeds), never wall-clock limits."
                + " Regenerate everything with `make experiments`, or one experiment with"
                + " `bin/stepwise experiment NAME`; `make test` runs each at a quick scale.\n\n");
        sb.append("| experiment | claim | verdict | numbers |\n|---|---|---|---|\n");
        double wall = 0;
        double cpu = 0;
        for (JsonObject r : reports) {
            String name = r.get("experiment").getAsString();
            JsonArray claims = r.getAsJsonArray("claims");
            for (JsonElement e : claims) {
                JsonObject c = e.getAsJsonObject();
                sb.append("| [").append(name).append("](").append(name).append(".md) | ")
                        .append(cell(c.get("statement").getAsString())).append(" | **")
                        .append(c.get("verdict").getAsString()).append("** | ")
                        .append(cell(c.get("evidence").getAsString())).append(" |\n");
            }
        }
        sb.append("\n## Runs\n\n| experiment | scale | command | wall-clock | CPU | date |\n|---|---|---|---|---|---|\n");
        for (JsonObject r : reports) {
            double w = number(r, "wall_seconds");
            double c = number(r, "cpu_seconds");
            wall += w;
            cpu += c;
            sb.append(String.format(Locale.ROOT, "| %s | %s | `%s` | %.0f s | %.0f s | %s |%n",
                    r.get("experiment").getAsString(), string(r, "scale"), string(r, "command"), w, c,
                    string(r, "date")));
        }
        sb.append(String.format(Locale.ROOT, "| total | | `make experiments` | %.0f s (%.1f min) | %.0f s (%.1f min)"
                + " | |%n", wall, wall / 60, cpu, cpu / 60));
        List<String> uncapped = new ArrayList<>();
        for (JsonObject r : reports) {
            JsonObject v = r.has("versions") ? r.getAsJsonObject("versions") : new JsonObject();
            if (!v.has("onednn_max_cpu_isa")) {
                uncapped.add(r.get("experiment").getAsString());
            }
        }
        if (!uncapped.isEmpty()) {
            sb.append("\n**Caution: LSTM figures of ").append(String.join(", ", uncapped)).append(" are not reliable.**"
                    + " These runs were made without `ONEDNN_MAX_CPU_ISA=AVX2`; PyTorch 2.7.1's oneDNN LSTM kernel"
                    + " returns wrong values on this machine's AVX-512-BF16 CPU without it (bin/stepwise, the Makefile"
                    + " and scripts/run_experiment.sh now set it). RNN, GRU and CNN figures are unaffected; rerun"
                    + " these experiments (`make experiment NAME=...`) to replace the LSTM numbers.\n");
        }
        sb.append("\nWall-clock times were measured on a shared 2-core machine with other builds running; the CPU time"
                + " is what the runs themselves used (PyTorch on one thread, so one core), which bounds the wall-clock"
                + " time on two idle cores.\n");
        return sb.toString();
    }

    private static double number(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsDouble() : Double.NaN;
    }

    private static String string(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsString() : "";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
