package io.stepwise.flink;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Flink code compiles against this module and Flink, so it cannot go stale: every {@code ```java flink}
 * block becomes the body of a method (its imports those of the class). The plain {@code ```java} blocks are
 * compiled by examples/demo's ReadmeJavaTest against the runtime alone, which has no Flink.
 */
class ReadmeFlinkJavaTest {
    @TempDir
    Path out;

    @Test
    void everyFlinkBlockOfTheReadmeCompiles() throws IOException {
        Path readme = Path.of("../README.md");
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        List<JavaFileObject> sources = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java flink")) {
                continue;
            }
            StringBuilder imports = new StringBuilder();
            StringBuilder body = new StringBuilder();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                String l = lines.get(j);
                (l.startsWith("import ") ? imports : body).append(l).append('\n');
                if (l.startsWith("import ")) {
                    body.append('\n'); // keeps the line numbers of the body equal to the README's
                }
            }
            String name = "ReadmeFlinkBlock" + i;
            // One header line (imports collapsed into it) so that source line n + 1 is README line i + 1 + n.
            String src = imports.toString().replace('\n', ' ') + "class " + name
                    + " { static void run() throws Exception {\n" + body + "}}\n";
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return src;
                }
            });
            i = j;
        }
        assertFalse(sources.isEmpty(), "README.md should show the Flink integration in a ```java flink block");
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            compiler.getTask(null, files, diagnostics, List.of("-classpath", classpath, "-d", out.toString(),
                    "-proc:none", "-Xlint:none"), null, sources).call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                int start = Integer.parseInt(d.getSource().getName().replaceAll("\\D", ""));
                errors.add("README.md line " + (start + d.getLineNumber()) + ": " + d.getMessage(Locale.ROOT));
            }
        }
        assertTrue(errors.isEmpty(), "README.md's Flink code does not compile:\n" + String.join("\n", errors));
    }
}
