package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Sessions that are never closed do not leak: 20,000 dropped sessions fit a 32 MB heap and are cleaned. */
class SessionLeakTest {
    @Test
    void twentyThousandDroppedSessionsAreCleanedUnderASmallHeap() throws Exception {
        ChildJvm.Result r = ChildJvm.run("32m", DroppedSessionsMain.class, "20000");
        assertEquals(0, r.exit(), r.out() + r.err());
        Matcher m = Pattern.compile("open=(\\d+) used=(\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out() + r.err());
        int open = Integer.parseInt(m.group(1));
        assertTrue(open <= 100, "sessions still counted open after GC: " + open);
        System.out.println("SessionLeakTest: 20,000 dropped sessions at -Xmx32m: " + r.out().trim());
    }
}
