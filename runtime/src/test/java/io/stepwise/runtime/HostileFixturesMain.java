package io.stepwise.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child JVM of {@link HostileModelsTest}: loads each named hostile fixture through the public entry points, from
 * a file and from bytes, and prints one line per load, {@code NAME file|bytes OUTCOME}, where the outcome is the
 * simple name of the exception (or {@code loaded}). A fixture that reached ONNX Runtime would crash this process
 * (the truncated tensor: SIGSEGV) or exhaust it, which the test sees as a missing line or a bad exit.
 */
public final class HostileFixturesMain {
    private HostileFixturesMain() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("hostile");
        try {
            for (String name : args) {
                byte[] bytes = HostileModelsTest.fixture(name);
                Path file = Files.write(dir.resolve(name), bytes);
                System.out.println(name + " file " + outcome(() -> RecurrentModel.load(file)));
                System.out.println(name + " bytes " + outcome(() -> RecurrentModel.fromBytes(bytes)));
                Files.delete(file);
            }
        } finally {
            Files.delete(dir);
        }
    }

    private interface Load {
        RecurrentModel run();
    }

    private static String outcome(Load load) {
        try (RecurrentModel model = load.run()) {
            return "loaded " + model.info().cell();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }
}
