package io.stepwise.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits target, in this JVM: its properties hold on its seeds and on mutated scripts. */
class LimitsCaseTest {
    @TempDir
    Path dir;

    @Test
    void stoppedAndRefusedCallsLeaveTheStateAndSuccessfulOnesMatchAnUnlimitedSession() throws Exception {
        Seeds seeds = Seeds.create(dir.resolve("seeds"), Path.of("..", "models"), Path.of("..", "data"));
        byte[] model = Files.readAllBytes(dir.resolve("seeds").resolve(Seeds.STATE_MODEL));
        int stopped = 0;
        int refused = 0;
        for (int i = 0; i < 30; i++) {
            byte[] script = i < 3 ? seeds.of(Target.LIMITS).get(i)
                    : FuzzMain.generate(Target.LIMITS, new Random(i), seeds, new ArrayList<>());
            Outcome o = LimitsCase.run(script, model);
            assertEquals(Outcome.OK, o.status(), "case " + i + ": " + o.kind() + " " + o.detail());
            stopped += count(o.detail(), " timed out") + count(o.detail(), " cancelled");
            refused += count(o.detail(), " refused");
        }
        // the scripts do reach the interesting paths: out-of-range tokens are refused in every campaign
        assertTrue(refused > 0, "no call was refused");
        System.out.println("limits: " + stopped + " calls stopped, " + refused + " refused");
    }

    /** The number before {@code what} in an outcome's detail ("..., 3 timed out, ..."). */
    private static int count(String detail, String what) {
        int end = detail.indexOf(what);
        int start = detail.lastIndexOf(' ', end - 1) + 1;
        return end < 0 ? 0 : Integer.parseInt(detail.substring(start, end));
    }
}
