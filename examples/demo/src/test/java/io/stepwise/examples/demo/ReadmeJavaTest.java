package io.stepwise.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java code compiles against the runtime, so it cannot go stale: every {@code ```java} block of
 * README.md becomes the body of a method (its {@code import} lines, from every block, the imports of each class)
 * and is compiled with the JDK's compiler against this module's class path — the runtime and ONNX Runtime, nothing
 * from training or conversion.
 */
class ReadmeJavaTest {
    @TempDir
    Path out;

    /** One {@code ```java} block: its text and the README line it starts on. */
    record Block(int line, List<String> lines) {
    }

    @Test
    void everyJavaBlockOfTheReadmeCompilesAgainstTheRuntime() throws IOException {
        Path readme = findReadme();
        List<Block> blocks = javaBlocks(Files.readAllLines(readme, StandardCharsets.UTF_8));
        assertTrue(blocks.size() >= 2, "README.md should show Java code; found " + blocks.size() + " block(s)");
        List<String> errors = compile(blocks);
        assertTrue(errors.isEmpty(), "README.md's Java does not compile:\n" + String.join("\n", errors));
    }

    @Test
    void aBrokenBlockIsReported() throws IOException {
        List<Block> broken = javaBlocks(List.of("text", "```java", "import io.stepwise.runtime.RecurrentModel;",
                "RecurrentModel model = RecurrentModel.load(42);", "```"));
        assertEquals(1, broken.size());
        List<String> errors = compile(broken);
        assertFalse(errors.isEmpty(), "a wrong call must not compile");
        assertTrue(errors.get(0).startsWith("README.md line 4:"), errors.get(0));
    }

    private static Path findReadme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("runtime"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("README.md of the project not found above " + Path.of("").toAbsolutePath());
    }

    static List<Block> javaBlocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String fence = lines.get(i).strip();
            if (!fence.equals("```java")) {
                continue;
            }
            int indent = lines.get(i).indexOf('`');
            List<String> body = new ArrayList<>();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).strip().equals("```")) {
                String line = lines.get(j);
                body.add(line.length() >= indent && line.substring(0, indent).isBlank() ? line.substring(indent) : line);
                j++;
            }
            blocks.add(new Block(i + 2, body));
            i = j;
        }
        return blocks;
    }

    /** Compiles every block; returns one message per error, naming the README line. */
    private List<String> compile(List<Block> blocks) throws IOException {
        Set<String> imports = new LinkedHashSet<>();
        for (Block b : blocks) {
            b.lines().stream().filter(l -> l.startsWith("import ")).forEach(imports::add);
        }
        List<JavaFileObject> sources = new ArrayList<>();
        List<int[]> lineMaps = new ArrayList<>();
        for (int n = 0; n < blocks.size(); n++) {
            Block b = blocks.get(n);
            StringBuilder src = new StringBuilder();
            int header = 0;
            for (String i : imports) {
                src.append(i).append('\n');
                header++;
            }
            src.append("class ReadmeBlock").append(n).append(" {\n  static void run() throws Exception {\n");
            header += 2;
            for (String l : b.lines()) {
                src.append(l.startsWith("import ") ? "" : l).append('\n');
            }
            src.append("  }\n}\n");
            String name = "ReadmeBlock" + n;
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return src;
                }
            });
            lineMaps.add(new int[] {header, b.line()});
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", classpath, "-d", out.toString(), "-proc:none",
                    "-Xlint:none");
            compiler.getTask(null, files, diagnostics, options, null, sources).call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            String source = d.getSource() == null ? "" : d.getSource().getName();
            int block = Integer.parseInt(source.replaceAll("\\D", "").isEmpty() ? "0" : source.replaceAll("\\D", ""));
            int[] map = lineMaps.get(block);
            long readmeLine = d.getLineNumber() - map[0] - 1 + map[1];
            errors.add("README.md line " + readmeLine + ": " + d.getMessage(Locale.ROOT));
        }
        return errors;
    }
}
