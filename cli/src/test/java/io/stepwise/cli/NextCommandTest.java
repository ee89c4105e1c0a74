package io.stepwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NextCommandTest {
    @TempDir
    Path dir;

    private static String[] run(int expectedCode, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RunCli.execute(args, new PrintWriter(out), new PrintWriter(err));
        assertEquals(expectedCode, code, out + " " + err);
        return new String[] {out.toString(), err.toString().strip()};
    }

    @Test
    void ranksTheNextEventsByName() throws Exception {
        String model = CliModels.eventModel(dir).toString();
        String[] result = run(0, "next", model, "home", "search", "never_seen", "--top", "3");
        String[] lines = result[0].strip().split("\n");
        assertEquals(3, lines.length, result[0]);
        double total = 0;
        for (String line : lines) {
            String name = line.strip().split("\\s+")[0];
            assertTrue(CliModels.EVENTS.contains(name), line);
            total += Double.parseDouble(line.strip().split("\\s+")[1].replace("%", ""));
        }
        assertTrue(total > 0 && total <= 100.05, result[0]);
    }

    @Test
    void aCharacterModelOrABadTopIsOneLine() throws Exception {
        String lm = CliModels.languageModel(dir).toString();
        String err = run(CliRunner.BAD_INPUT, "next", lm, "a")[1];
        assertTrue(err.startsWith("stepwise: error: ") && err.contains("expected event") && !err.contains("\n"), err);
        String model = CliModels.eventModel(dir).toString();
        assertTrue(run(CliRunner.BAD_INPUT, "next", model, "home", "--top", "0")[1].contains("--top"));
    }
}
