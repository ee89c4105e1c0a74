package io.stepwise.examples.service;

import java.util.List;

/** The JSON request bodies of API v1 (docs/service-api.md); unknown fields are refused (400). */
final class Requests {
    private Requests() {
    }

    record Generate(String prompt, Integer maxNewTokens, String strategy, Double temperature, Integer topK,
                    Double topP, Double repetitionPenalty, Long seed, List<String> stopStrings, Integer beamWidth,
                    Double lengthPenalty) {
    }

    record Classify(String text, List<String> texts, Integer top) {
    }

    /** {@code history}: rows of numbers (null = missing), or a flat array for a single-feature series. */
    record Forecast(List<Object> history, Integer horizon) {
    }

    record CreateSession(String model, String state, float[] lastOutput) {
    }

    record Step(int[] tokens, String text, float[][] features) {
    }

    record Observations(List<Object> observations, Integer horizon) {
    }
}
