package io.stepwise.runtime.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FrequencyTest {
    private static List<LocalDate> every(Frequency f, LocalDate start, int n) {
        List<LocalDate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(f.plus(start, i));
        }
        return out;
    }

    @Test
    void detectsEachFrequencyFromItsSpacing() {
        LocalDate start = LocalDate.of(2019, 1, 31);
        for (Frequency f : Frequency.values()) {
            assertEquals(Optional.of(f), Frequency.detect(every(f, start, 30)), f.wireName());
        }
        // One gap does not change the median spacing.
        List<LocalDate> gappy = new ArrayList<>(every(Frequency.MONTHLY, start, 30));
        gappy.remove(10);
        assertEquals(Optional.of(Frequency.MONTHLY), Frequency.detect(gappy));
        assertEquals(Optional.empty(), Frequency.detect(every(Frequency.DAILY, start, 1)));
        List<LocalDate> fortnightly = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fortnightly.add(start.plusDays(14L * i));
        }
        assertEquals(Optional.empty(), Frequency.detect(fortnightly));
    }

    @Test
    void periodsAreConsecutiveWhateverTheDayInsideThem() {
        assertEquals(1, Frequency.MONTHLY.period(LocalDate.of(2024, 2, 1))
                - Frequency.MONTHLY.period(LocalDate.of(2024, 1, 31)));
        assertEquals(0, Frequency.MONTHLY.period(LocalDate.of(2024, 1, 1))
                - Frequency.MONTHLY.period(LocalDate.of(2024, 1, 31)));
        assertEquals(1, Frequency.QUARTERLY.period(LocalDate.of(2024, 4, 1))
                - Frequency.QUARTERLY.period(LocalDate.of(2024, 3, 31)));
        assertEquals(1, Frequency.WEEKLY.period(LocalDate.of(2024, 3, 4))     // Monday
                - Frequency.WEEKLY.period(LocalDate.of(2024, 3, 3)));          // Sunday
        assertEquals(0, Frequency.WEEKLY.period(LocalDate.of(2024, 3, 10))
                - Frequency.WEEKLY.period(LocalDate.of(2024, 3, 4)));
        assertEquals(2, Frequency.YEARLY.period(LocalDate.of(1873, 6, 1))
                - Frequency.YEARLY.period(LocalDate.of(1871, 1, 1)));
        assertEquals(12, Frequency.MONTHLY.season());
        assertEquals(Frequency.QUARTERLY, Frequency.fromWireName("Quarterly"));
        assertThrows(IllegalArgumentException.class, () -> Frequency.fromWireName("hourly"));
    }

    @Test
    void timeStampFormatsParseAndWriteBack() {
        assertEquals(Optional.of(TimeStampFormat.DATE), TimeStampFormat.of("1960-03-31"));
        assertEquals(Optional.of(TimeStampFormat.DATE), TimeStampFormat.of("1960/03/31 00:00:00"));
        assertEquals(Optional.of(TimeStampFormat.MONTH), TimeStampFormat.of("1960-03"));
        assertEquals(Optional.of(TimeStampFormat.QUARTER), TimeStampFormat.of("1960 Q2"));
        assertEquals(Optional.of(TimeStampFormat.QUARTER), TimeStampFormat.of("1960Q2"));
        assertEquals(Optional.of(TimeStampFormat.YEAR), TimeStampFormat.of("1871"));
        assertEquals(Optional.empty(), TimeStampFormat.of("1960-02-30"));
        assertEquals(Optional.empty(), TimeStampFormat.of("1959.25"));
        assertEquals(LocalDate.of(1960, 4, 1), TimeStampFormat.QUARTER.parse("1960-Q2"));
        assertEquals(List.of("1960-Q3", "1960-Q4", "1961-Q1"),
                TimeStampFormat.after("1960 Q2", Frequency.QUARTERLY, 3));
        assertEquals(List.of("1971", "1972"), TimeStampFormat.after("1970", Frequency.YEARLY, 2));
        assertEquals(List.of("2024-03-11"), TimeStampFormat.after("2024-03-04", Frequency.WEEKLY, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimeStampFormat.after("soon", Frequency.DAILY, 1));
        assertTrue(e.getMessage().contains("'soon'"));
    }
}
