package io.stepwise.training.data;

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
import java.util.ArrayList;
import java.util.List;

/** Strict UTF-8 reading shared by the data loaders. */
final class TextFiles {
    private TextFiles() {
    }

    /**
     * Reads a whole file as UTF-8, refusing malformed or unmappable bytes instead of silently replacing them,
     * so that a Latin-1 file is reported rather than trained on as garbage.
     *
     * @throws IllegalArgumentException naming the file and the byte offset of the first bad sequence
     * @throws UncheckedIOException     when the file cannot be read
     */
    static String readUtf8Strict(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return decodeUtf8Strict(bytes, file.toString());
    }

    static String decodeUtf8Strict(byte[] bytes, String sourceName) {
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
    static List<String> lines(String text) {
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
