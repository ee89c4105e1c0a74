package io.stepwise.spring.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} (Debian's, /usr/bin/redis-server, or {@code $REDIS_SERVER}) for tests: on a free
 * loopback port, without persistence (no RDB, no AOF), in a temporary folder removed on {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private RedisServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server and waits until it answers PING (up to 10 s). */
    public static RedisServer start() throws IOException, InterruptedException {
        String binary = System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server");
        if (!Files.isExecutable(Path.of(binary))) {
            throw new IllegalStateException(binary + " not found: install Debian's redis-server (.ci/run does)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("stepwise-redis");
        Process p = new ProcessBuilder(binary, "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "yes",
                "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServer server = new RedisServer(p, dir, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = Files.readString(dir.resolve("redis.log"));
                server.close();
                throw new IllegalStateException("redis-server exited: " + log);
            }
            if (server.ping()) {
                return server;
            }
            Thread.sleep(20);
        }
        server.close();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within 10 s");
    }

    public int port() {
        return port;
    }

    /** Sends one inline command and returns the first reply line, e.g. {@code +PONG}. */
    public String command(String line) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    /** Removes every key. */
    public void flushAll() throws IOException {
        command("FLUSHALL");
    }

    private boolean ping() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server and deletes its folder. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // A leftover temp folder is harmless; the server is stopped.
        }
    }

    @Override
    public String toString() {
        return "RedisServer[127.0.0.1:" + port + "]";
    }

}
