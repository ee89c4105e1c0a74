package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A service limit above a model's run limit fails startup naming both, instead of failing requests halfway. */
class ServiceLimitsCheckTest {
    private static SpringApplicationBuilder service(String... properties) {
        return new SpringApplicationBuilder(ServiceApplication.class)
                .properties("spring.main.web-application-type=none", "spring.main.banner-mode=off",
                        "stepwise.models.charlm-rnn.path=../../models/charlm-rnn.onnx")
                .properties(properties);
    }

    @Test
    void maxNewTokensAboveTheModelsRunLimitFailsStartupNamingTheProperty() {
        assertThatThrownBy(() -> service("stepwise.service.max-new-tokens=200000").run().close())
                .rootCause()
                .hasMessageContaining("stepwise.service.max-new-tokens is 200000")
                .hasMessageContaining("model charlm-rnn")
                .hasMessageContaining("expected at most 65536");
    }

    @Test
    void maxBeamWidthAboveALoweredRunLimitFailsStartup() {
        assertThatThrownBy(() -> service("stepwise.runtime.max-beam-width=8").run().close())
                .rootCause()
                .hasMessageContaining("stepwise.service.max-beam-width is 16")
                .hasMessageContaining("expected at most 8");
    }

    @Test
    void limitsWithinTheModelsStart() {
        try (ConfigurableApplicationContext ctx = service("stepwise.service.max-new-tokens=65536").run()) {
            assertThat(ctx.getBean(ServiceLimitsCheck.class)).isNotNull();
        }
    }
}
