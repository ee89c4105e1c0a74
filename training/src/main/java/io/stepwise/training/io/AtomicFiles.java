package io.stepwise.training.io;

import io.stepwise.conversion.AtomicTempFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way the training module writes files (models, checkpoints, metrics, cards, plots): readers see the old
 * content or the complete new content, never a part, and a failed write leaves the old file as it was.
 */
public final class AtomicFiles {

    /** Produces a file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code content} to a temporary file in {@code file}'s folder, forces it to disk and renames it over
     * {@code file}. On any failure the temporary file is removed and {@code file} is untouched.
     *
     * <p>The temporary file is a dot file in the same folder, so the rename stays on one file system and a
     * leftover from a killed process stays out of plain listings; the next write of the same file removes such
     * leftovers ({@link AtomicTempFiles#removeStale}). It is created with the process's default
     * permissions (not {@link Files#createTempFile}'s owner-only ones): models and reports are meant to be shared.
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null) {
            throw new IllegalArgumentException("file: expected a file path but got '" + file + "'");
        }
        Files.createDirectories(dir);
        AtomicTempFiles.removeStale(target);
        Path temp = AtomicTempFiles.newTemp(target);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel))) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** {@link #write(Path, Content)} of a byte array. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /** {@link #write(Path, Content)} of UTF-8 text. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
