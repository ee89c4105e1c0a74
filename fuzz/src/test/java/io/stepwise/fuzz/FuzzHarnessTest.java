package io.stepwise.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.SessionState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness attributes crashes, hangs and errors to the case that caused them, in a real child JVM. */
class FuzzHarnessTest {
    @TempDir
    Path dir;

    private Outcome runSelftest(ChildProcess child, String input, long timeoutMs) throws Exception {
        Path file = dir.resolve("case.bin");
        Files.writeString(file, input);
        return child.run(Target.SELFTEST, file, timeoutMs);
    }

    @Test
    void aChildReportsOutcomesAndDiesVisiblyOnACrashOrAHang() throws Exception {
        Path seeds = dir.resolve("seeds");
        Files.createDirectories(seeds);
        List<String> command = ChildProcess.command(seeds, dir, 4096);
        try (ChildProcess child = ChildProcess.start(command, dir, dir.resolve("child.err"))) {
            assertEquals(Outcome.OK, runSelftest(child, "fine", 30_000).status());
            Outcome error = runSelftest(child, "error", 30_000);
            assertEquals(Outcome.ERROR, error.status());
            assertTrue(error.kind().startsWith("BufferUnderflowException"), error.kind());
            Outcome crash = runSelftest(child, "crash", 30_000);
            assertEquals(Outcome.CRASH, crash.status());
            assertEquals("exit 134", crash.kind());
            assertFalse(child.alive());
        }
        try (ChildProcess child = ChildProcess.start(command, dir, dir.resolve("child.err"))) {
            long start = System.nanoTime();
            Outcome hang = runSelftest(child, "hang", 1_500);
            assertEquals(Outcome.HANG, hang.status());
            assertTrue((System.nanoTime() - start) / 1e6 >= 1_500);
            assertFalse(child.alive());
        }
    }

    @Test
    void casesAreAFunctionOfTheirSeedAndStateCasesUsuallyPassTheChecksum() throws Exception {
        Seeds seeds = Seeds.create(dir.resolve("seeds"), Path.of("..", "models"), Path.of("..", "data"));
        for (Target t : List.of(Target.MODEL, Target.STATE, Target.LIMITS, Target.CSV, Target.CORPUS, Target.WORDS)) {
            byte[] a = FuzzMain.generate(t, new Random(42), seeds, new ArrayList<>());
            byte[] b = FuzzMain.generate(t, new Random(42), seeds, new ArrayList<>());
            assertArrayEquals(a, b, t.id());
        }
        int parsed = 0;
        for (int i = 0; i < 200; i++) {
            List<String> log = new ArrayList<>();
            byte[] state = FuzzMain.mutateState(seeds.of(Target.STATE).get(1), new Random(i), log);
            try {
                SessionState.fromBytes(state);
                parsed++;
            } catch (IllegalArgumentException refused) {
                assertFalse(refused.getMessage().isEmpty());
            }
        }
        assertTrue(parsed > 20, "mutated states that parse: " + parsed);
    }

    @Test
    void aShortCampaignRunsEveryTargetAndWritesASummary() throws Exception {
        Path out = dir.resolve("out");
        FuzzMain main = FuzzMain.withArgs("--cases", "18", "--seconds", "300", "--out", out.toString(),
                "--targets", "model,state,limits,csv,corpus,words", "--models", Path.of("..", "models").toString(),
                "--data", Path.of("..", "data").toString());
        main.fuzz();
        String summary = FuzzMain.summaryText(out);
        assertTrue(summary.startsWith("fuzz: 18 cases"), summary);
        assertTrue(Files.readString(out.resolve("summary.json"), StandardCharsets.UTF_8).contains("\"cases\": 18"));
    }
}
