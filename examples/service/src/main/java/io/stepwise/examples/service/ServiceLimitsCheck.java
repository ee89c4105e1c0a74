package io.stepwise.examples.service;

import io.stepwise.runtime.RunLimits;
import io.stepwise.spring.ModelRegistry;
import io.stepwise.spring.ServedModel;
import org.springframework.stereotype.Component;

/**
 * Refuses to start a service whose own request limits ({@code stepwise.service.*}) admit what a model's run limits
 * ({@code stepwise.runtime.*}, {@link RunLimits}) would refuse. Without it such a request passed validation and
 * failed halfway, e.g. a generation ending in an SSE error event after streaming tokens.
 */
@Component
class ServiceLimitsCheck {
    ServiceLimitsCheck(ServiceProperties service, ModelRegistry models) {
        for (ServedModel served : models.all()) {
            RunLimits limits = served.model().runLimits();
            check("stepwise.service.max-new-tokens", service.getMaxNewTokens(), limits.maxNewTokens(), served);
            check("stepwise.service.max-beam-width", service.getMaxBeamWidth(), limits.maxBeamWidth(), served);
            check("stepwise.service.max-horizon", service.getMaxHorizon(), limits.maxHorizon(), served);
        }
    }

    private static void check(String property, int value, int runtimeLimit, ServedModel served) {
        if (value > runtimeLimit) {
            throw new IllegalStateException(property + " is " + value + " but model " + served.name()
                    + " runs with a limit of " + runtimeLimit + " (its RunLimits); expected at most " + runtimeLimit
                    + ": lower the property or raise the model's run limit");
        }
    }
}
