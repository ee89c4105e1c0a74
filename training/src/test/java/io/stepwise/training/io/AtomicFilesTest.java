package io.stepwise.training.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @Test
    void failedWriteKeepsOldContentAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("checkpoint.bin");
        AtomicFiles.writeString(file, "complete old content");
        IOException failure = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[64 * 1024]);
            throw new IOException("disk full");
        }));
        assertEquals("disk full", failure.getMessage());
        assertEquals("complete old content", Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "the temporary file must be removed");
        }
    }

    @Test
    void replacesWholeFileAndCreatesFolders(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a/b/model.onnx");
        AtomicFiles.write(file, new byte[] {1, 2, 3, 4, 5});
        AtomicFiles.write(file, new byte[] {9});
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(file));
    }

    @Test
    void writtenFilesAreReadableByOthers(@TempDir Path dir) throws IOException {
        // Models, cards and plots are shared outputs: not the owner-only mode of Files.createTempFile.
        Path file = dir.resolve("card.md");
        AtomicFiles.writeString(file, "# card\n");
        assertTrue(Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ),
                Files.getPosixFilePermissions(file).toString());
    }

    @Test
    void rejectsPathWithoutFileName() {
        assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeString(Path.of("/"), "x"));
    }
}
