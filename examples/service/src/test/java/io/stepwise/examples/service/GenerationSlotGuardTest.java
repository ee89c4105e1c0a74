package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The generation slot is taken by the request guard, before the request is parsed: while the one slot streams a
 * generation, another generation is refused with 503 `overloaded`, Retry-After and a problem detail naming the
 * limit even when its body is not JSON at all (so it was never parsed), other requests are still served, and once
 * the stream has ended the slot is free again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "stepwise.models.charlm-rnn.path=../../models/charlm-rnn.onnx",
        "stepwise.service.max-concurrent-generations=1",
        "stepwise.service.max-new-tokens=60000",
        "stepwise.service.retry-after-seconds=5"})
class GenerationSlotGuardTest {
    private static final String GENERATE = "/v1/models/charlm-rnn/generate";

    @LocalServerPort
    int port;

    private final ServiceTestBase client = new ServiceTestBase() {
    };

    @Test
    void aBusySlotRefusesTheNextGenerationBeforeItsBodyIsReadAndIsFreeAgainWhenTheStreamEnds() throws Exception {
        client.port = port;
        HttpRequest longStream = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + GENERATE))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(
                        ServiceTestBase.json(java.util.Map.of("prompt", "The ", "maxNewTokens", 60_000))))
                .build();
        HttpResponse<InputStream> stream = ServiceTestBase.HTTP.send(longStream,
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (BufferedReader events = new BufferedReader(
                new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            String line;
            do {
                line = events.readLine();
                assertThat(line).as("the stream ended before its first token: " + seen).isNotNull();
                seen.append(line).append('\n');
            } while (!line.equals("event: token"));

            // The slot is held by the open stream: a second generation is refused, whatever its body.
            for (String body : new String[] {"{\"prompt\": \"The \", \"maxNewTokens\": 4}", "{}", "not json"}) {
                ServiceTestBase.Reply refused = client.send("POST", GENERATE, null, body);
                ApiContractTest.assertProblem(refused, 503, "overloaded");
                assertThat(refused.header("Retry-After")).isEqualTo("5");
                assertThat(refused.json().get("detail").asString()).contains("max-concurrent-generations");
                assertThat(refused.json().get("limit").asString()).isEqualTo("concurrent_generations");
            }
            assertThat(client.send("GET", "/v1/models/charlm-rnn", null, null).status())
                    .as("other requests do not need a generation slot").isEqualTo(200);
        }
        // The client went away: the stream's next write fails, the generation stops and the guard frees the slot.
        // The invalid body is parsed (400) as soon as the slot is free; polled, without a timing assertion.
        int status = 503;
        for (int i = 0; i < 600 && status == 503; i++) {
            status = client.send("POST", GENERATE, null, "{}").status();
            if (status == 503) {
                Thread.sleep(100);
            }
        }
        assertThat(status).as("a generation once the stream has ended").isEqualTo(400);
        ServiceTestBase.Reply served = client.send("POST", GENERATE, null,
                "{\"prompt\": \"The \", \"maxNewTokens\": 4}");
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        assertThat(served.json().get("generatedTokens").asInt()).isEqualTo(4);
    }
}
