package io.stepwise.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM running {@link FuzzChild}, under an address-space limit (so a runaway allocation fails inside the
 * child instead of taking the machine) and without core dumps. {@link #run} sends one case and waits for its
 * outcome; when the child dies the outcome is a crash, named by the problematic native frame of the JVM's error
 * report or by what the C++ runtime printed; when the case outlives its timeout the child is killed and the
 * outcome is a hang.
 */
final class ChildProcess implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Path workDir;
    private final Path stderr;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildProcess(Process process, Path workDir, Path stderr) {
        this.process = process;
        this.workDir = workDir;
        this.stderr = stderr;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith(FuzzChild.PREFIX)) {
                        lines.add(line.substring(FuzzChild.PREFIX.length()));
                    }
                }
            } catch (IOException ignored) {
                // The child died; EOF below tells run() so.
            }
            lines.add(EOF);
        }, "fuzz-child-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** The command that starts a child: bash sets the limits, then execs the JVM. */
    static List<String> command(Path seeds, Path workDir, long memoryMb) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                "ulimit -v " + memoryMb * 1024 + " && ulimit -c 0 && exec \"$0\" \"$@\"", java,
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:CompressedClassSpaceSize=128m",
                "-XX:ReservedCodeCacheSize=96m", "-XX:MaxMetaspaceSize=256m", "-Xshare:auto",
                "-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"), "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), FuzzChild.class.getName(), seeds.toString()));
        return cmd;
    }

    /** Starts a child and waits until it is ready. */
    static ChildProcess start(List<String> command, Path workDir, Path stderr) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        ChildProcess child = new ChildProcess(p, workDir, stderr);
        String first;
        try {
            first = child.lines.poll(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.close();
            throw new IOException("interrupted while starting the child JVM", e);
        }
        if (!"ready".equals(first)) {
            child.close();
            throw new IOException("the child JVM did not start (" + (first == null ? "no answer in 120 s" : first)
                    + "); see " + stderr);
        }
        return child;
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Runs one case; never throws for what the case does to the child. */
    Outcome run(Target target, Path file, long timeoutMs) throws IOException, InterruptedException {
        stdin.write("RUN " + target.id() + " " + file.toAbsolutePath() + "\n");
        stdin.flush();
        String line = lines.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (line == null) {
            close();
            return new Outcome(Outcome.HANG, "hang:" + target.id(), "no answer in " + timeoutMs + " ms; child killed");
        }
        if (line.equals(EOF)) {
            process.waitFor(10, TimeUnit.SECONDS);
            int code = process.isAlive() ? -1 : process.exitValue();
            return new Outcome(Outcome.CRASH, crashKind(code), "child exited with " + code);
        }
        return Outcome.parse(line);
    }

    /** Names a crash: the JVM's "Problematic frame", else the C++ runtime's last words, else the exit code. */
    private String crashKind(int code) {
        Path report = workDir.resolve("hs_err_pid" + process.pid() + ".log");
        try {
            if (Files.isRegularFile(report)) {
                List<String> lines = Files.readAllLines(report, StandardCharsets.ISO_8859_1);
                String frame = null;
                String caller = "";
                for (int i = 0; i + 1 < lines.size(); i++) {
                    if (frame == null && lines.get(i).startsWith("# Problematic frame:")) {
                        frame = lines.get(i + 1).replaceFirst("^#\\s*", "").trim();
                    } else if (frame != null && caller.isEmpty() && lines.get(i).startsWith("j  ")) {
                        // The Java method that called into native code, without its signature.
                        caller = " in " + lines.get(i).substring(3).replaceFirst("\\(.*", "");
                    }
                }
                if (frame != null) {
                    return "frame " + frame + caller;
                }
            }
            if (Files.isRegularFile(stderr)) {
                List<String> err = Files.readAllLines(stderr, StandardCharsets.ISO_8859_1);
                for (int i = err.size() - 1; i >= 0 && i >= err.size() - 50; i--) {
                    String l = err.get(i);
                    if (l.contains("terminate called") || l.contains("what():") || l.contains("Killed")) {
                        return "exit " + code + ": " + l.trim();
                    }
                }
            }
        } catch (IOException ignored) {
            // Fall back to the exit code.
        }
        return "exit " + code;
    }

    /** The last lines the child wrote to standard error (ONNX Runtime's log, the C++ runtime's last words). */
    List<String> stderrTail(int n) {
        try {
            List<String> err = Files.readAllLines(stderr, StandardCharsets.ISO_8859_1);
            return err.subList(Math.max(0, err.size() - n), err.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    Path errorReport() {
        return workDir.resolve("hs_err_pid" + process.pid() + ".log");
    }

    /** Kills the child (if still running) and waits for it. Idempotent. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // Already gone.
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
