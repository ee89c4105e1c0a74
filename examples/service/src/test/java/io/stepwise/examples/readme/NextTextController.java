package io.stepwise.examples.readme;

import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.TextGenerator;
import io.stepwise.spring.ModelRegistry;
import io.stepwise.spring.ServedModel;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

// The README's starter snippet, compiled here; ReadmeStarterSnippetTest checks the README still shows this code.
// (Outside the service's package, so the service's component scan never picks it up.)
@RestController
class NextTextController {
    private final ServedModel model;

    NextTextController(ModelRegistry models) {
        this.model = models.get("charlm");
    }

    @GetMapping("/next")
    String next(@RequestParam("text") String text) {
        TextGenerator generator = new TextGenerator(model.source());
        return generator.generate(text, GenerationConfig.greedy(20)).text();
    }
}
