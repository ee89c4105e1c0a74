package io.stepwise.training.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.stepwise.training.tasks.DefaultPaths;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every experiment end to end at the quick scale (a few steps on tiny sizes): it must train, measure, decide its
 * verdicts and write a Markdown page, a JSON file whose figures hold every plotted point, and its PNG plots; and
 * the summary must list every claim. Keeps the experiment code honest in {@code make test}.
 */
class ExperimentsQuickTest {
    @TempDir
    Path out;

    @Test
    void everyExperimentRunsAtTheQuickScaleAndWritesItsFiles() throws Exception {
        // The default models and data live in the project root; tests run in training/ (bin/stepwise sets this).
        String previous = System.getProperty(DefaultPaths.HOME_PROPERTY);
        System.setProperty(DefaultPaths.HOME_PROPERTY, Path.of("..").toAbsolutePath().normalize().toString());
        try {
            runAll();
        } finally {
            if (previous == null) {
                System.clearProperty(DefaultPaths.HOME_PROPERTY);
            } else {
                System.setProperty(DefaultPaths.HOME_PROPERTY, previous);
            }
        }
    }

    private void runAll() throws Exception {
        StringWriter log = new StringWriter();
        ExperimentContext context = new ExperimentContext(ExperimentScale.QUICK, out, out.resolve("work"),
                new PrintWriter(log));
        int claims = 0;
        for (Experiment experiment : Experiments.all()) {
            ExperimentReport report = Experiments.run(experiment, context);
            String name = experiment.name();
            Path json = out.resolve(name + ".json");
            Path md = out.resolve(name + ".md");
            assertTrue(Files.isRegularFile(json) && Files.isRegularFile(md), name + ": .json and .md written");
            JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
            assertEquals(name, root.get("experiment").getAsString());
            assertEquals("quick", root.get("scale").getAsString());
            assertTrue(root.get("cpu_seconds").getAsDouble() > 0, name + ": CPU time recorded");
            assertTrue(root.get("wall_seconds").getAsDouble() > 0, name + ": wall time recorded");
            JsonArray claimArray = root.getAsJsonArray("claims");
            assertFalse(claimArray.isEmpty(), name + ": at least one claim");
            for (JsonElement c : claimArray) {
                String verdict = c.getAsJsonObject().get("verdict").getAsString();
                assertTrue(Set.of("held", "held partly", "did not hold").contains(verdict), verdict);
                claims++;
            }
            JsonArray figures = root.getAsJsonArray("figures");
            assertEquals(report.figures().size(), figures.size());
            assertFalse(figures.isEmpty(), name + ": at least one figure");
            for (JsonElement f : figures) {
                String id = f.getAsJsonObject().get("id").getAsString();
                Path png = out.resolve(name + "-" + id + ".png");
                assertTrue(Files.size(png) > 1000, png + " rendered");
                byte[] head = Files.readAllBytes(png);
                assertEquals((byte) 0x89, head[0], "PNG signature");
                for (JsonElement s : f.getAsJsonObject().getAsJsonArray("series")) {
                    JsonObject series = s.getAsJsonObject();
                    assertEquals(series.getAsJsonArray("x").size(), series.getAsJsonArray("y").size());
                }
                assertTrue(Files.readString(md).contains("(" + name + "-" + id + ".png)"), "page shows " + id);
            }
            assertTrue(Files.readString(md).contains("Reproduce: `stepwise experiment " + name + " --scale quick`"));
        }
        String readme = Files.readString(out.resolve("README.md"));
        for (String name : Experiments.names()) {
            assertTrue(readme.contains("[" + name + "](" + name + ".md)"), "summary links " + name);
        }
        long rows = readme.lines().filter(l -> l.startsWith("| [")).count();
        assertEquals(claims, rows, "one summary row per claim");
        assertTrue(log.toString().contains("experiment adding (quick scale) starting"), "progress is reported");
    }
}
