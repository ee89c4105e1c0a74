package io.stepwise.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's {@code ```java spring} block (Spring code, which the demo module's ReadmeJavaTest cannot compile
 * against the runtime alone) is {@link NextTextController}'s class body, line for line, so it compiles here and
 * cannot go stale.
 */
class ReadmeStarterSnippetTest {

    @Test
    void theReadmesStarterSnippetIsTheCompiledController() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("..", "..", "README.md"), StandardCharsets.UTF_8);
        List<String> snippet = new ArrayList<>();
        boolean inside = false;
        for (String line : readme) {
            if (line.strip().equals("```java spring")) {
                inside = true;
            } else if (inside && line.strip().equals("```")) {
                break;
            } else if (inside) {
                snippet.add(line);
            }
        }
        assertThat(snippet).as("a ```java spring block in README.md").isNotEmpty();
        List<String> source = Files.readAllLines(
                Path.of("src/test/java/io/stepwise/examples/readme/NextTextController.java"), StandardCharsets.UTF_8);
        int start = source.indexOf("@RestController");
        assertThat(source.subList(start, source.size())).containsExactlyElementsOf(snippet);
    }
}
