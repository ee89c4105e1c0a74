package io.stepwise.conversion;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the temporary files of the atomic writers (the exporter here, training's {@code AtomicFiles}) and removes
 * the ones an earlier process left behind when it was killed between creating and renaming them.
 *
 * <p>A temporary file is a dot file beside its target: {@code .<target>.<pid>.<random>.tmp}. Before each write of
 * a target, {@link #removeStale(Path)} deletes that target's temporary files whose writer is gone: those whose
 * process id is no longer alive on this machine, and — for names without a process id, written before it was
 * added — those not modified for {@link #LEGACY_AGE}. A file of a live process (another writer of the same target
 * right now) is left alone. Only the target's own pattern is touched, never another file.
 */
public final class AtomicTempFiles {
    /** Age after which a temporary file without a process id in its name counts as stale. */
    public static final Duration LEGACY_AGE = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicTempFiles() {
    }

    /** A fresh temporary path for {@code target} (absolute, with a parent) in the same folder. */
    public static Path newTemp(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    }

    /**
     * Deletes {@code target}'s stale temporary files; failures to list or delete are ignored (the write goes on).
     *
     * @return the files deleted
     */
    public static List<Path> removeStale(Path target) {
        List<Path> removed = new ArrayList<>();
        Path folder = target.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            return removed;
        }
        Pattern own = Pattern.compile("\\." + Pattern.quote(target.getFileName().toString())
                + "\\.(?:(\\d{1,19})\\.)?[0-9a-f]{1,16}\\.tmp");
        Instant legacyCutoff = Instant.now().minus(LEGACY_AGE);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "." + globQuote(target.getFileName()
                .toString()) + ".*.tmp")) {
            for (Path p : entries) {
                Matcher m = own.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (stale(p, m.group(1), legacyCutoff) && Files.deleteIfExists(p)) {
                    removed.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Cleaning up is a courtesy: a folder that cannot be listed still gets its new file.
        }
        return removed;
    }

    private static boolean stale(Path p, String pid, Instant legacyCutoff) throws IOException {
        if (pid == null) {
            FileTime modified = Files.getLastModifiedTime(p);
            return modified.toInstant().isBefore(legacyCutoff);
        }
        long id;
        try {
            id = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return false;
        }
        if (id == ProcessHandle.current().pid()) {
            return false;
        }
        Optional<ProcessHandle> writer = ProcessHandle.of(id);
        return writer.isEmpty() || !writer.get().isAlive();
    }

    private static String globQuote(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            if ("*?[]{}\\".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
