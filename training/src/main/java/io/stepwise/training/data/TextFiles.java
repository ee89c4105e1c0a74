package io.stepwise.training.data;

import io.stepwise.cli.Utf8Files;
import java.nio.file.Path;
import java.util.List;

/** Strict UTF-8 reading shared by the data loaders; the rules are {@link Utf8Files}'s. */
final class TextFiles {
    private TextFiles() {
    }

    /** See {@link Utf8Files#readStrict(Path)}. */
    static String readUtf8Strict(Path file) {
        return Utf8Files.readStrict(file);
    }

    /** See {@link Utf8Files#lines(String)}. */
    static List<String> lines(String text) {
        return Utf8Files.lines(text);
    }
}
