package io.stepwise.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict UTF-8 reading, shared by the series reader here and the training module's data loaders: malformed bytes
 * are refused rather than silently replaced, so that a Latin-1 file is reported rather than read as garbage.
 */
public final class Utf8Files {
    /**
     * Largest file {@link #readStrict} reads: 256 MiB. The file is held whole, then decoded (two bytes a character),
     * then split into lines, so a file costs several times its size in heap; larger ones are refused up front with
     * one line instead of ending in an OutOfMemoryError.
     */
    public static final long MAX_BYTES = 256L << 20;

    private Utf8Files() {
    }

    /**
     * Reads a whole file as UTF-8.
     *
     * @throws IllegalArgumentException naming the file and the byte offset of the first bad sequence; naming the
     *                                  file and the limit when it has more than {@link #MAX_BYTES}; when it is not
     *                                  a regular file (a folder, a FIFO, a device, whose reading could block)
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static String readStrict(Path file) {
        return readStrict(file, MAX_BYTES);
    }

    /** {@link #readStrict(Path)} with another size limit (tests). */
    static String readStrict(Path file, long maxBytes) {
        byte[] bytes;
        try {
            // One look at the file (a missing one fails here as it would in readAllBytes: NoSuchFileException).
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                throw new IllegalArgumentException(file + ": " + (a.isDirectory() ? "is a folder" : "is not a"
                        + " regular file") + "; expected a UTF-8 text file");
            }
            if (a.size() > maxBytes) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "%s: %,d bytes is more than the %,d a data file may have (it is read into memory whole)",
                        file, a.size(), maxBytes));
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return decodeStrict(bytes, file.toString());
    }

    /**
     * Decodes UTF-8, dropping a leading byte-order mark.
     *
     * @param sourceName names the bytes in errors
     * @throws IllegalArgumentException naming the source and the byte offset of the first bad sequence
     */
    public static String decodeStrict(byte[] bytes, String sourceName) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new IllegalArgumentException(sourceName + ": not valid UTF-8 at byte offset " + in.position()
                    + " (" + result.length() + " bad byte(s), first 0x"
                    + String.format("%02X", bytes[in.position()] & 0xFF) + ")");
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw new IllegalArgumentException(sourceName + ": not valid UTF-8 at byte offset " + in.position());
        }
        out.flip();
        String text = out.toString();
        // A byte-order mark is an encoding artefact, not a character of the text.
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Splits text into lines on \n, \r\n or \r; a final line terminator does not produce an empty last line. */
    public static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            lines.add(text.substring(start));
        }
        return lines;
    }
}
