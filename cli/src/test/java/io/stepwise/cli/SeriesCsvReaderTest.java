package io.stepwise.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The number cells of {@link SeriesCsvReader}; the series column is covered by {@link TimeIndexTest}. */
class SeriesCsvReaderTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path file = dir.resolve("s.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void everyDecimalFormIsANumberAndAnEmptyCellIsMissing() throws IOException {
        SeriesCsvReader.Table t = SeriesCsvReader.read(csv("date,v\n2020-01,12\n2020-02,-3.5\n2020-03,1e-3\n"
                + "2020-04,+.5\n2020-05,7.\n2020-06,2.5E+2\n2020-07,\n"));
        double[][] v = t.values();
        assertArrayEquals(new double[] {12, -3.5, 1e-3, 0.5, 7, 250}, new double[] {v[0][0], v[1][0], v[2][0],
                v[3][0], v[4][0], v[5][0]});
        assertTrue(Double.isNaN(v[6][0]));
    }

    @Test
    void nonNumbersAreRefusedNamingLineColumnAndValue() throws IOException {
        for (String bad : List.of("NaN", "Infinity", "1e", ".", "1.2.3", "e5", "--1", "0x10", "1,5")) {
            Path file = csv("date,v\n2020-01,1\n2020-02,\"" + bad + "\"\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SeriesCsvReader.read(file), bad);
            assertTrue(e.getMessage().contains("line 3, column 'v' (2): '" + bad + "' is not a number"),
                    e.getMessage());
        }
    }

    /**
     * make fuzz (seed 1, case 1636) found a 139,305-character cell of digits that the number pattern took minutes
     * to refuse: its greedy digit runs tried every split of the run. A cell ten times longer must be refused at
     * once; the timeout only catches the quadratic pattern coming back (it would take hours), not a slow machine.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aMillionDigitCellThatIsNotANumberIsRefusedInLinearTime() throws IOException {
        String digits = "7".repeat(1_000_000);
        Path file = csv("date,v\n2020-01," + digits + "x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeriesCsvReader.read(file));
        assertEquals(file + ": line 2, column 'v' (2): '" + "7".repeat(40) + "…' (1000001 characters) is not a number"
                + " (expected a decimal number, or an empty cell for a missing value)", e.getMessage());
        // Without the stray character it is a number, but beyond a double's range: refused, not read as infinity.
        Path huge = csv("date,v\n2020-01," + digits + "\n");
        e = assertThrows(IllegalArgumentException.class, () -> SeriesCsvReader.read(huge));
        assertEquals(huge + ": line 2, column 'v' (2): '" + "7".repeat(40) + "…' (1000000 characters) is outside the"
                + " range of a double (magnitude at most " + Double.MAX_VALUE + ")", e.getMessage());
    }
}
