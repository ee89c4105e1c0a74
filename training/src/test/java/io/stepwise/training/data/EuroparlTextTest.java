package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EuroparlTextTest {
    @Test
    void filterTellsEnglishFromOtherLatinScriptLanguages() {
        assertTrue(EuroparlText.looksEnglish("Mr President, I would like to thank the rapporteur for the work that "
                + "has been done on this report, which is of great importance to all of us in the Union."));
        assertFalse(EuroparlText.looksEnglish("Herr Präsident, ich möchte dem Berichterstatter für die Arbeit danken, "
                + "die an diesem Bericht geleistet wurde, der für uns alle in der Union von großer Bedeutung ist."));
        assertFalse(EuroparlText.looksEnglish("Signor Presidente, vorrei ringraziare il relatore per il lavoro svolto "
                + "su questa relazione, che è di grande importanza per tutti noi nella nostra Unione europea."));
        assertFalse(EuroparlText.looksEnglish("the of and to"), "too short to judge");
    }

    @Test
    void normalisesWhitespaceRuns() {
        assertEquals("a b c", EuroparlText.normaliseWhitespace("  a \t  b\u00A0\u00A0c   "));
    }

    @Test
    void selectsEnglishUpToTheCap() {
        EuroparlText.Sample sample = EuroparlText.english(50_000);
        assertEquals(50_000, sample.text().length());
        assertTrue(sample.truncated());
        assertTrue(sample.linesKept() > 10 && sample.linesScanned() > sample.linesKept());
        assertFalse(sample.text().contains("  "));
        for (String doc : sample.text().split("\n")) {
            assertTrue(doc.length() < 200 || EuroparlText.looksEnglish(doc) || doc.length() < 50_000,
                    "document kept by the filter");
        }
        assertTrue(sample.text().contains(" the "));
    }

    @Test
    void takesAllEnglishByDefault() {
        long start = System.nanoTime();
        EuroparlText.Sample sample = EuroparlText.english();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("Europarl English: %d chars from %d of %d lines in %.2f s%n", sample.text().length(),
                sample.linesKept(), sample.linesScanned(), seconds);
        assertFalse(sample.truncated());
        assertEquals(17_597, sample.linesScanned());
        assertTrue(sample.text().length() > 1_000_000 && sample.text().length() < EuroparlText.DEFAULT_MAX_CHARS,
                "size " + sample.text().length());
    }
}
