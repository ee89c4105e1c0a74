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

    @Test
    void putReplacesItsOwnSectionInPlaceOrAppendsIt() {
        String doc = "# B\n\n" + FLINK + "\n\n## After\n";
        String replaced = MarkedSections.put(doc, "flink-bench", "## Flink\n\nnew\n");
        assertEquals("# B\n\n<!-- flink-bench:begin -->\n## Flink\n\nnew\n<!-- flink-bench:end -->\n\n## After\n",
                replaced);
        assertEquals(replaced, MarkedSections.put(replaced, "flink-bench", "## Flink\n\nnew"));
        assertEquals("# B\n\n<!-- bench-batching:begin -->\nx\n<!-- bench-batching:end -->\n",
                MarkedSections.put("# B\n", "bench-batching", "x"));
    }
}
