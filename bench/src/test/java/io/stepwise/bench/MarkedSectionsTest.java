package io.stepwise.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MarkedSectionsTest {
    private static final String FLINK = "<!-- flink-bench:begin -->\n## Flink\n\n| a | b |\n<!-- flink-bench:end -->";

    @Test
    void aSectionOfAnotherToolSurvivesARewrite() {
        String previous = "# Stepwise benchmarks\n\n## Old latency\n\nold figures\n\n" + FLINK + "\n";
        String fresh = "# Stepwise benchmarks\n\n## Latency\n\nnew figures\n";
        assertEquals("# Stepwise benchmarks\n\n## Latency\n\nnew figures\n\n" + FLINK + "\n",
                MarkedSections.keep(previous, fresh));
    }

    @Test
    void theFreshDocumentsOwnSectionWinsAndNothingIsDuplicated() {
        String mine = "<!-- flink-bench:begin -->\nnew\n<!-- flink-bench:end -->";
        String fresh = "# B\n\n" + mine + "\n";
        assertEquals(fresh, MarkedSections.keep("# B\n\n" + FLINK + "\n", fresh));
        assertEquals(fresh, MarkedSections.keep(fresh, fresh));
    }

    @Test
    void unmatchedMarkersAreNotASection() {
        String previous = "# B\n<!-- flink-bench:begin -->\nhalf\n<!-- other:end -->\n";
        assertEquals("# B\n", MarkedSections.keep(previous, "# B\n"));
    }
}
