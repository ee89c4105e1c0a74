package io.stepwise.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sections of {@code BENCHMARKS.md} written by other tools ({@code make flink-bench} writes one between
 * {@code <!-- flink-bench:begin -->} and {@code <!-- flink-bench:end -->}). {@code make bench} rewrites the file from
 * its own results, so without this it would drop their figures until those tools ran again.
 */
final class MarkedSections {
    private static final Pattern SECTION =
            Pattern.compile("<!-- ([a-z0-9-]+):begin -->.*?<!-- \\1:end -->", Pattern.DOTALL);

    private MarkedSections() {
    }

    /** The marked sections of {@code document} by name, in document order. */
    static Map<String, String> of(String document) {
        Map<String, String> sections = new LinkedHashMap<>();
        Matcher m = SECTION.matcher(document);
        while (m.find()) {
            sections.putIfAbsent(m.group(1), m.group());
        }
        return sections;
    }

    /**
     * {@code fresh} with every marked section of {@code previous} that {@code fresh} lacks appended at its end, in
     * their previous order; sections {@code fresh} has itself are its own and win.
     */
    static String keep(String previous, String fresh) {
        Map<String, String> own = of(fresh);
        StringBuilder out = new StringBuilder(fresh.stripTrailing()).append('\n');
        for (Map.Entry<String, String> e : of(previous).entrySet()) {
            if (!own.containsKey(e.getKey())) {
                out.append('\n').append(e.getValue()).append('\n');
            }
        }
        return out.toString();
    }

    /** {@code body} between the begin and end markers of section {@code name}. */
    static String section(String name, String body) {
        return "<!-- " + name + ":begin -->\n" + body.stripTrailing() + "\n<!-- " + name + ":end -->";
    }

    /**
     * {@code document} with section {@code name} replaced by {@code body}, or with it appended at the end when the
     * document has no such section yet.
     */
    static String put(String document, String name, String body) {
        String fresh = section(name, body);
        String old = of(document).get(name);
        return old != null ? document.replace(old, fresh) : document.stripTrailing() + "\n\n" + fresh + "\n";
    }
}
