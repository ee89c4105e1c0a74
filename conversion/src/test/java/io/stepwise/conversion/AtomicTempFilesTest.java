package io.stepwise.conversion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temp files of writers that died are removed on the next write; live writers' and other files are kept. */
class AtomicTempFilesTest {
    @TempDir
    Path dir;

    private static long deadPid() {
        for (long pid = 4_000_000; ; pid++) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
    }

    @Test
    void removesOnlyTheTargetsStaleTempFiles() throws Exception {
        Path target = dir.resolve("m.onnx");
        Path dead = Files.writeString(dir.resolve(".m.onnx." + deadPid() + ".1f2e.tmp"), "x");
        Path oldLegacy = Files.writeString(dir.resolve(".m.onnx.abc123.tmp"), "x");
        Files.setLastModifiedTime(oldLegacy, FileTime.from(Instant.now().minusSeconds(3600)));
        Path freshLegacy = Files.writeString(dir.resolve(".m.onnx.def456.tmp"), "x");
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        Path liveWriter = Files.writeString(dir.resolve(".m.onnx." + live + ".aa.tmp"), "x");
        Path other = Files.writeString(dir.resolve(".other.onnx." + deadPid() + ".1f.tmp"), "x");

        assertEquals(Set.of(dead, oldLegacy), Set.copyOf(AtomicTempFiles.removeStale(target)));
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(freshLegacy) && Files.exists(liveWriter) && Files.exists(other));
        Path temp = AtomicTempFiles.newTemp(target);
        assertTrue(temp.getFileName().toString().startsWith(".m.onnx." + ProcessHandle.current().pid() + "."));
    }
}
