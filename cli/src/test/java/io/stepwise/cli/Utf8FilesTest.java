package io.stepwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict UTF-8 reading of data files, and the files it refuses before reading them. */
class Utf8FilesTest {
    @TempDir
    Path dir;

    @Test
    void readsUtf8DropsTheByteOrderMarkAndRefusesMalformedBytes() throws IOException {
        Path ok = Files.write(dir.resolve("ok.txt"), ("\uFEFFgrüße\r\nb\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("grüße", "b"), Utf8Files.lines(Utf8Files.readStrict(ok)));
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'a', (byte) 0xFC, 'b'});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Utf8Files.readStrict(latin1));
        assertTrue(e.getMessage().startsWith(latin1 + ": not valid UTF-8 at byte offset 1"), e.getMessage());
    }

    @Test
    void aFileOverTheLimitIsRefusedInOneLineNamingTheFileAndTheLimit() throws IOException {
        Path file = Files.writeString(dir.resolve("big.csv"), "t,v\n" + "1,2\n".repeat(1000));
        assertEquals(4004, Utf8Files.readStrict(file, 4004).length());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Utf8Files.readStrict(file, 4003));
        assertEquals(file + ": 4,004 bytes is more than the 4,003 a data file may have (it is read into memory whole)",
                e.getMessage());
        assertEquals(256L << 20, Utf8Files.MAX_BYTES);
    }

    @Test
    void foldersFifosAndDevicesAreRefusedWithoutBlocking() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Utf8Files.readStrict(dir));
        assertEquals(dir + ": is a folder; expected a UTF-8 text file", e.getMessage());
        Path fifo = dir.resolve("history.csv");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor() == 0 && Files.exists(fifo), "mkfifo");
        for (Path p : List.of(fifo, Path.of("/dev/zero"))) {
            IllegalArgumentException f = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(IllegalArgumentException.class, () -> Utf8Files.readStrict(p)));
            assertEquals(p + ": is not a regular file; expected a UTF-8 text file", f.getMessage());
        }
    }
}
