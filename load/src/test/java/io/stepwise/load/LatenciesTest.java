package io.stepwise.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LatenciesTest {
    @Test
    void quantilesAreNearestRank() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, Latencies.quantile(v, 0.5));
        assertEquals(10, Latencies.quantile(v, 0.95));
        assertEquals(1, Latencies.quantile(v, 0.0));
        assertEquals(10, Latencies.quantile(v, 1.0));
        assertTrue(Double.isNaN(Latencies.quantile(new double[0], 0.5)));
        assertThrows(IllegalArgumentException.class, () -> Latencies.quantile(v, 1.5));
    }

    @Test
    void onlySuccessesEnterTheDistributionAndEveryStatusIsCounted() {
        Latencies l = new Latencies(3);
        l.record(200, 3_000_000);
        l.record(503, 1);
        l.record(0, 1);
        l.record(200, 1_000_000);
        l.record(200, 2_000_000);
        l.record(200, 9_000_000); // beyond the capacity: counted, not kept
        assertEquals(4, l.ok());
        assertEquals(6, l.total());
        assertEquals(Map.of("0", 1L, "200", 4L, "503", 1L), l.statuses());
        assertArrayEquals(new double[]{1, 2, 3}, l.sortedMillis());
    }

    @Test
    void targetsParseAndBadOnesAreNamed() {
        Target t = Target.parse("2 replicas, batching off|http://127.0.0.1:1|12,13");
        assertEquals("2 replicas, batching off", t.label());
        assertEquals(java.util.List.of(12L, 13L), t.pids());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Target.parse("x|http://h|12,abc"));
        assertTrue(e.getMessage().contains("abc"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Target.parse("no url"));
    }
}
