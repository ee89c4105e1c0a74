package io.stepwise.training.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Bytes written in UTF-8 passed on to a {@link PrintWriter}, so PrintStream-based progress reaches picocli's out. */
final class WriterOutputStream extends OutputStream {
    private final PrintWriter writer;
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    WriterOutputStream(PrintWriter writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) {
        pending.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        pending.write(b, off, len);
    }

    @Override
    public void flush() {
        // Only whole UTF-8 sequences are decoded; a split multi-byte character waits for its remaining bytes.
        byte[] bytes = pending.toByteArray();
        int end = bytes.length;
        int back = 0;
        while (back < Math.min(3, end) && (bytes[end - 1 - back] & 0xC0) == 0x80) {
            back++;
        }
        if (back < end && (bytes[end - 1 - back] & 0xC0) == 0xC0) {
            int needed = (bytes[end - 1 - back] & 0xE0) == 0xC0 ? 1 : (bytes[end - 1 - back] & 0xF0) == 0xE0 ? 2 : 3;
            if (back < needed) {
                end = end - 1 - back;
            }
        }
        writer.write(new String(bytes, 0, end, StandardCharsets.UTF_8));
        writer.flush();
        pending.reset();
        pending.write(bytes, end, bytes.length - end);
    }

    @Override
    public void close() {
        flush();
    }
}
