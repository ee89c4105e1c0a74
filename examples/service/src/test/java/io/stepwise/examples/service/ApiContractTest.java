package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;
import io.stepwise.runtime.classify.Classification;
import io.stepwise.runtime.classify.SequenceClassifier;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.ForecastStream;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.GenerationResult;
import io.stepwise.runtime.text.TextGenerator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every endpoint of docs/service-api.md and every error it lists, over real HTTP, with sessions in Redis. */
class ApiContractTest extends ServiceTestBase {
    private static RecurrentModel charlm;
    private static RecurrentModel co2;
    private static RecurrentModel langid;

    @BeforeAll
    static void loadModels() {
        charlm = RecurrentModel.load(MODELS.resolve("charlm-rnn.onnx"));
        co2 = RecurrentModel.load(MODELS.resolve("co2-rnn.onnx"));
        langid = RecurrentModel.load(MODELS.resolve("langid-rnn.onnx"));
    }

    @AfterAll
    static void closeModels() {
        charlm.close();
        co2.close();
        langid.close();
    }

    static void assertProblem(Reply r, int status, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asString()).isEqualTo("urn:stepwise:problem:" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("detail").asString()).isNotBlank();
    }

    static void assertInvalidField(Reply r, String field, String detailPart) {
        assertProblem(r, 400, "invalid-field");
        assertThat(r.json().get("field").asString()).isEqualTo(field);
        assertThat(r.json().get("detail").asString()).contains(detailPart);
    }

    // ---- access ----

    @Test
    void withoutAKeyOrWithAnUnknownKeyEveryApiRequestIs401() {
        Reply none = send("GET", "/v1/models", null, null);
        assertProblem(none, 401, "unauthorized");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertProblem(send("GET", "/v1/models", "wrong", null), 401, "unauthorized");
        assertThat(send("GET", "/v1/models", null, null, "X-API-Key", KEY).status()).isEqualTo(200);
    }

    // ---- models ----

    @Test
    void modelsAreListedWithWhatInspectShows() {
        Reply r = get("/v1/models");
        assertThat(r.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        r.json().get("models").forEach(m -> names.add(m.get("name").asString()));
        assertThat(names).containsExactly("charlm-rnn", "co2-rnn", "langid-rnn");
        JsonNode one = get("/v1/models/co2-rnn").json();
        assertThat(one.get("task").asString()).isEqualTo("forecaster");
        assertThat(one.get("fingerprint").asString()).isEqualTo(co2.info().fingerprint());
        assertThat(one.get("featureNames").get(0).asString()).isEqualTo("co2_ppm");
        assertThat(one.get("inspect").asString()).contains("forecaster");
        assertThat(get("/v1/models/langid-rnn").json().get("steppable").asBoolean()).isFalse();
        Reply unknown = get("/v1/models/nope");
        assertProblem(unknown, 404, "unknown-model");
        assertThat(unknown.json().get("model").asString()).isEqualTo("nope");
    }

    @Test
    void wrongMethodMediaTypeAndAcceptAreProblemDetails() {
        assertProblem(send("PUT", "/v1/models", KEY, "{}"), 405, "method-not-allowed");
        assertProblem(send("POST", "/v1/models/charlm-rnn/generate", KEY, "prompt", "Content-Type", "text/plain"),
                415, "unsupported-media-type");
        assertProblem(send("GET", "/v1/no-such-path", KEY, null), 404, "not-found");
    }

    // ---- generation ----

    @Test
    void generationEqualsTextGeneratorWithTheSameSeed() {
        GenerationResult expected = new TextGenerator(charlm).generate("The Commission ", GenerationConfig.builder()
                .optTemperature(0.8).optTopK(20).optTopP(0.95).optRepetitionPenalty(1.1).optSeed(42)
                .optMaxNewTokens(60).optStopStrings(". ").build());
        Reply r = post("/v1/models/charlm-rnn/generate", json(Map.of("prompt", "The Commission ",
                "temperature", 0.8, "topK", 20, "topP", 0.95, "repetitionPenalty", 1.1, "seed", 42,
                "maxNewTokens", 60, "stopStrings", List.of(". "))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("text").asString()).isEqualTo(expected.text());
        assertThat(ids(j.get("tokenIds"))).containsExactly(expected.tokenIds());
        assertThat(j.get("stopReason").asString()).isEqualTo(expected.stopReason().name().toLowerCase());
        assertThat(j.get("seed").asLong()).isEqualTo(42);
    }

    @Test
    void greedyAndBeamSearchEqualTextGenerator() {
        GenerationResult greedy = new TextGenerator(charlm).generate("We ", GenerationConfig.greedy(30));
        assertThat(post("/v1/models/charlm-rnn/generate", json(Map.of("prompt", "We ", "strategy", "greedy",
                "maxNewTokens", 30))).json().get("text").asString()).isEqualTo(greedy.text());
        GenerationResult beam = new TextGenerator(charlm).generate("We ", GenerationConfig.builder()
                .optBeamSearch(3).optMaxNewTokens(12).build());
        assertThat(post("/v1/models/charlm-rnn/generate", json(Map.of("prompt", "We ", "strategy", "beam_search",
                "beamWidth", 3, "maxNewTokens", 12))).json().get("text").asString()).isEqualTo(beam.text());
    }

    @Test
    void streamedTokensEqualTextGeneratorsTokensAndEndWithTheResult() throws Exception {
        List<String> expectedTokens = new ArrayList<>();
        GenerationResult expected = new TextGenerator(charlm).generate("Mr President, ", GenerationConfig.builder()
                .optSeed(7).optMaxNewTokens(40).build(), (id, text) -> expectedTokens.add(text));
        Reply r = post("/v1/models/charlm-rnn/generate", json(Map.of("prompt", "Mr President, ", "seed", 7,
                "maxNewTokens", 40)), "Accept", "text/event-stream");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/event-stream");
        List<String[]> events = parseEvents(r.body());
        List<String> tokens = new ArrayList<>();
        for (String[] e : events.subList(0, events.size() - 1)) {
            assertThat(e[0]).isEqualTo("token");
            JsonNode t = JSON.readTree(e[1]);
            assertThat(t.get("index").asInt()).isEqualTo(tokens.size());
            tokens.add(t.get("text").asString());
        }
        assertThat(tokens).isEqualTo(expectedTokens);
        String[] done = events.get(events.size() - 1);
        assertThat(done[0]).isEqualTo("done");
        assertThat(JSON.readTree(done[1]).get("text").asString()).isEqualTo(expected.text());
    }

    @Test
    void aStreamIsCancelledWhenTheClientGoesAway() throws Exception {
        double before = cancelledGenerations();
        String body = json(Map.of("prompt", "The ", "maxNewTokens", 60000, "seed", 1));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/models/charlm-rnn/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream"
                    + "\r\nAuthorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            int tokens = 0;
            for (String line = in.readLine(); line != null && tokens < 5; line = in.readLine()) {
                if (line.equals("event: token")) {
                    tokens++;
                }
            }
            assertThat(tokens).isEqualTo(5);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (cancelledGenerations() <= before && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(cancelledGenerations()).isEqualTo(before + 1);
    }

    private double cancelledGenerations() {
        Reply r = send("GET", "/actuator/metrics/stepwise.generations?tag=stopReason:cancelled&tag=model:charlm-rnn",
                null, null);
        return r.status() == 404 ? 0 : r.json().get("measurements").get(0).get("value").asDouble();
    }

    @Test
    void generationInputErrorsAre400NamingTheFieldAndTheRange() {
        String path = "/v1/models/charlm-rnn/generate";
        assertInvalidField(post(path, json(Map.of("prompt", "a", "temperature", -1))), "temperature", "> 0");
        assertInvalidField(post(path, json(Map.of("prompt", "a", "topP", 1.5))), "topP", "0 < topP ≤ 1");
        assertInvalidField(post(path, json(Map.of("prompt", "a", "maxNewTokens", 0))), "maxNewTokens",
                "expected 1 … 65536");
        assertInvalidField(post(path, json(Map.of("prompt", ""))), "prompt", "empty");
        assertInvalidField(post(path, json(Map.of("prompt", "a", "strategy", "creative"))), "strategy",
                "sampling, greedy, beam_search");
        assertInvalidField(post(path, json(Map.of("prompt", "a", "strategy", "greedy", "seed", 3))), "seed",
                "greedy");
        assertInvalidField(post(path, json(Map.of("prompt", "a", "temprature", 1))), "temprature", "Unrecognized");
        assertInvalidField(post(path, json(Map.of("prompt", "a", "maxNewTokens", "many"))), "maxNewTokens",
                "Integer");
        assertInvalidField(post(path, json(Map.of("prompt", "a", "strategy", "beam_search")), "Accept",
                "text/event-stream"), "strategy", "cannot stream");
        assertProblem(post(path, "{\"prompt\": "), 400, "malformed-json");
        assertProblem(post("/v1/models/nope/generate", json(Map.of("prompt", "a"))), 404, "unknown-model");
        assertProblem(post("/v1/models/co2-rnn/generate", json(Map.of("prompt", "a"))), 400,
                "unsupported-operation");
    }

    // ---- classification and one-shot forecasts ----

    @Test
    void classificationEqualsSequenceClassifier() {
        List<Classification> expected = new SequenceClassifier(langid).classifyAll(List.of("bonjour", "hello"));
        JsonNode r = post("/v1/models/langid-rnn/classify", json(Map.of("texts", List.of("bonjour", "hello"),
                "top", 2))).json();
        for (int i = 0; i < 2; i++) {
            JsonNode c = r.get("results").get(i);
            assertThat(c.get("label").asString()).isEqualTo(expected.get(i).label());
            assertThat(c.get("confidence").asDouble()).isEqualTo(expected.get(i).confidence());
            assertThat(c.get("ranking")).hasSize(2);
        }
        assertInvalidField(post("/v1/models/langid-rnn/classify", json(Map.of("text", "a", "texts", List.of("b")))),
                "text", "exactly one");
        assertInvalidField(post("/v1/models/langid-rnn/classify", json(Map.of("text", "a", "top", 99))), "top",
                "expected 1 … ");
        assertInvalidField(post("/v1/models/langid-rnn/classify", json(Map.of("texts", List.of("a", "")))),
                "texts", "entry 1");
        assertProblem(post("/v1/models/charlm-rnn/classify", json(Map.of("text", "a"))), 400,
                "unsupported-operation");
    }

    @Test
    void aOneShotForecastEqualsForecasterAndFillsMissingValues() {
        double[] history = {400.1, 401.3, Double.NaN, 402.2, 403.0, 402.5};
        Forecast expected = new Forecaster(co2).withMinimumHistory(1).forecast(history, 5);
        List<Object> json = new ArrayList<>();
        for (double v : history) {
            json.add(Double.isNaN(v) ? null : v);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("history", json);
        body.put("horizon", 5);
        JsonNode r = post("/v1/models/co2-rnn/forecast", json(body)).json();
        assertThat(r.get("filledValues").asInt()).isEqualTo(1);
        assertThat(r.get("warning").asString()).contains("6 step(s)").contains("at least 104");
        for (int h = 0; h < 5; h++) {
            assertThat(r.get("values").get(h).get(0).asDouble())
                    .isCloseTo(expected.value(h + 1, 0), within(1e-4 * Math.abs(expected.value(h + 1, 0))));
        }
        assertInvalidField(post("/v1/models/co2-rnn/forecast", json(Map.of("history", List.of(List.of(1, 2))))),
                "history", "expected 1 values");
        assertInvalidField(post("/v1/models/co2-rnn/forecast", json(Map.of("history", List.of("x")))),
                "history", "the string \"x\"");
        assertInvalidField(post("/v1/models/co2-rnn/forecast", json(Map.of("history", List.of(1), "horizon", 0))),
                "horizon", "expected 1 … 1000");
        assertInvalidField(post("/v1/models/co2-rnn/forecast", json(Map.of("history", List.of()))), "history",
                "none");
    }

    // ---- sessions ----

    String createSession(String model) {
        Reply r = post("/v1/sessions", json(Map.of("model", model)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String id = r.json().get("id").asString();
        assertThat(r.header("Location")).isEqualTo("/v1/sessions/" + id);
        assertThat(r.header("ETag")).isEqualTo("\"0\"");
        assertThat(id).matches("[A-Za-z0-9_-]{22}");
        return id;
    }

    @Test
    void aSessionSteppedThroughTheApiEqualsAStepSessionFedTheSameInputs() {
        String id = createSession("charlm-rnn");
        try (StepSession expected = charlm.newSession()) {
            int[] first = new TextGenerator(charlm).encode("Hello");
            Reply r1 = post("/v1/sessions/" + id + "/step", json(Map.of("tokens", first)), "If-Match", "\"0\"");
            assertThat(r1.status()).as(r1.body()).isEqualTo(200);
            assertThat(r1.header("ETag")).isEqualTo("\"5\"");
            assertOutputs(r1.json().get("outputs"), expected.feed(first));
            Reply r2 = post("/v1/sessions/" + id + "/step", json(Map.of("text", " world")), "If-Match", "\"5\"");
            assertOutputs(r2.json().get("outputs"), expected.feed(new TextGenerator(charlm).encode(" world")));
            assertThat(r2.json().get("position").asLong()).isEqualTo(11);
            Reply r3 = post("/v1/sessions/" + id + "/step", json(Map.of("tokens", new int[] {3})));
            assertOutputs(r3.json().get("outputs"), new float[][] {expected.step(3)});
            assertThat(get("/v1/sessions/" + id).json().get("position").asLong()).isEqualTo(12);
        }
    }

    @Test
    void aStaleIfMatchIs409WithTheCurrentPositionAndChangesNothing() {
        String id = createSession("charlm-rnn");
        post("/v1/sessions/" + id + "/step", json(Map.of("tokens", new int[] {1, 2})), "If-Match", "\"0\"");
        Reply stale = post("/v1/sessions/" + id + "/step", json(Map.of("tokens", new int[] {3})), "If-Match", "\"0\"");
        assertProblem(stale, 409, "stale-position");
        assertThat(stale.json().get("position").asLong()).isEqualTo(2);
        assertThat(stale.header("ETag")).isEqualTo("\"2\"");
        assertThat(get("/v1/sessions/" + id).header("ETag")).isEqualTo("\"2\"");
        assertInvalidField(post("/v1/sessions/" + id + "/step", json(Map.of("tokens", new int[] {3})), "If-Match",
                "yesterday"), "If-Match", "position");
    }

    @Test
    void ofConcurrentStepsFromOnePositionOneIsAppliedAndTheOthersAre409() {
        String id = createSession("charlm-rnn");
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int token = i + 1;
            replies.add(CompletableFuture.supplyAsync(() -> post("/v1/sessions/" + id + "/step",
                    json(Map.of("tokens", new int[] {token})), "If-Match", "\"0\"")));
        }
        List<Integer> statuses = replies.stream().map(f -> f.join().status()).sorted().toList();
        assertThat(statuses).containsExactly(200, 409, 409, 409);
        assertThat(get("/v1/sessions/" + id).json().get("position").asLong()).isEqualTo(1);
    }

    @Test
    void aSessionBelongsToTheKeyThatCreatedIt() {
        String id = createSession("charlm-rnn");
        assertProblem(send("GET", "/v1/sessions/" + id, OTHER_KEY, null), 404, "unknown-session");
        assertProblem(send("POST", "/v1/sessions/" + id + "/step", OTHER_KEY, json(Map.of("tokens", new int[] {1}))),
                404, "unknown-session");
        assertProblem(send("GET", "/v1/sessions/" + id + "/state", OTHER_KEY, null), 404, "unknown-session");
        assertProblem(send("DELETE", "/v1/sessions/" + id, OTHER_KEY, null), 404, "unknown-session");
        assertThat(get("/v1/sessions/" + id).status()).isEqualTo(200);
    }

    @Test
    void stepInputErrorsAre400() {
        String id = createSession("charlm-rnn");
        String step = "/v1/sessions/" + id + "/step";
        assertInvalidField(post(step, json(Map.of("tokens", new int[] {1}, "text", "a"))), "tokens", "exactly one");
        assertInvalidField(post(step, json(Map.of("tokens", new int[0]))), "tokens", "expected 1 … 1000");
        assertInvalidField(post(step, json(Map.of("tokens", new int[1001]))), "tokens", "1000");
        assertInvalidField(post(step, json(Map.of("tokens", new int[] {5, 100000}))), "tokens", "100000");
        assertProblem(post(step, json(Map.of("features", new float[][] {{1f}}))), 400, "unsupported-operation");
        String co2Id = createSession("co2-rnn");
        assertInvalidField(post("/v1/sessions/" + co2Id + "/step", json(Map.of("features", new float[][] {{1f, 2f}}))),
                "features", "expected 1 values");
        assertThat(get("/v1/sessions/" + id).json().get("position").asLong()).isZero();
        assertProblem(post("/v1/sessions", json(Map.of("model", "langid-rnn"))), 400, "unsupported-operation");
        assertProblem(post("/v1/sessions", json(Map.of("model", "nope"))), 404, "unknown-model");
        assertInvalidField(post("/v1/sessions", "{}"), "model", "required");
        assertProblem(get("/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA"), 404, "unknown-session");
    }

    @Test
    void observationsAndForecastsEqualAForecastStreamPushedTheSameObservations() {
        String id = createSession("co2-rnn");
        double[][] first = {{400.5}, {401.0}, {401.9}};
        double[][] second = {{Double.NaN}, {402.4}};
        Forecaster forecaster = new Forecaster(co2).withMinimumHistory(1);
        try (ForecastStream stream = forecaster.openStream()) {
            stream.pushAll(first);
            Reply r1 = post("/v1/sessions/" + id + "/observations", json(Map.of("observations",
                    List.of(400.5, 401.0, 401.9), "horizon", 4)), "If-Match", "\"0\"");
            assertThat(r1.status()).as(r1.body()).isEqualTo(200);
            assertForecast(r1.json().get("forecast"), stream.forecast(4));
            stream.pushAll(second);
            List<Object> rows = new ArrayList<>();
            rows.add(java.util.Collections.singletonList(null));
            rows.add(List.of(402.4));
            Reply r2 = post("/v1/sessions/" + id + "/observations", json(Map.of("observations", rows, "horizon", 3)),
                    "If-Match", "\"3\"");
            assertThat(r2.header("ETag")).isEqualTo("\"5\"");
            assertForecast(r2.json().get("forecast"), stream.forecast(3));
            Reply r3 = get("/v1/sessions/" + id + "/forecast?horizon=6");
            assertForecast(r3.json().get("forecast"), stream.forecast(6));
            assertThat(r3.json().get("position").asLong()).isEqualTo(5);
        }
        String fresh = createSession("co2-rnn");
        List<Object> missingFirst = new ArrayList<>();
        missingFirst.add(null);
        assertInvalidField(post("/v1/sessions/" + fresh + "/observations", json(Map.of("observations", missingFirst))),
                "observations", "first observation must be complete");
        assertInvalidField(get("/v1/sessions/" + fresh + "/forecast?horizon=2"), "horizon", "no observation yet");
        assertProblem(post("/v1/sessions/" + createSession("charlm-rnn") + "/observations",
                json(Map.of("observations", List.of(1.0)))), 400, "unsupported-operation");
    }

    @Test
    void anExportedStateImportsIntoANewSessionThatContinuesIdentically() {
        String id = createSession("charlm-rnn");
        post("/v1/sessions/" + id + "/step", json(Map.of("text", "Europe")));
        JsonNode exported = get("/v1/sessions/" + id + "/state").json();
        assertThat(exported.get("position").asLong()).isEqualTo(6);
        assertThat(exported.get("fingerprint").asString()).isEqualTo(charlm.info().fingerprint());
        Reply imported = post("/v1/sessions", json(Map.of("model", "charlm-rnn", "state",
                exported.get("state").asString())));
        assertThat(imported.status()).as(imported.body()).isEqualTo(201);
        assertThat(imported.header("ETag")).isEqualTo("\"6\"");
        String copy = imported.json().get("id").asString();
        JsonNode a = post("/v1/sessions/" + id + "/step", json(Map.of("text", "an"))).json().get("outputs");
        JsonNode b = post("/v1/sessions/" + copy + "/step", json(Map.of("text", "an"))).json().get("outputs");
        float[][] expected = new float[a.size()][a.get(0).size()];
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < expected[t].length; i++) {
                expected[t][i] = a.get(t).get(i).floatValue();
            }
        }
        assertOutputs(b, expected);
        assertInvalidField(post("/v1/sessions", json(Map.of("model", "co2-rnn", "state",
                exported.get("state").asString()))), "state", "fingerprint");
        assertInvalidField(post("/v1/sessions", json(Map.of("model", "charlm-rnn", "state", "%%%"))), "state",
                "base64");
        assertInvalidField(post("/v1/sessions", json(Map.of("model", "charlm-rnn", "state", "AAAA"))), "state",
                "state");
    }

    @Test
    void deleteHonoursIfMatchAndThenTheSessionIsGone() {
        String id = createSession("co2-rnn");
        assertProblem(send("DELETE", "/v1/sessions/" + id, KEY, null, "If-Match", "\"7\""), 409, "stale-position");
        assertThat(send("DELETE", "/v1/sessions/" + id, KEY, null, "If-Match", "\"0\"").status()).isEqualTo(204);
        assertProblem(get("/v1/sessions/" + id), 404, "unknown-session");
        assertProblem(send("DELETE", "/v1/sessions/" + id, KEY, null), 404, "unknown-session");
    }

    @Test
    void aBodyOverTheLimitIs413WhetherItsLengthIsDeclaredOrChunked() throws Exception {
        String big = json(Map.of("prompt", "a".repeat(250_000)));
        Reply declared = post("/v1/models/charlm-rnn/generate", big);
        assertProblem(declared, 413, "payload-too-large");
        assertThat(declared.json().get("limit").asLong()).isEqualTo(200_000);
        java.net.http.HttpRequest chunked = java.net.http.HttpRequest.newBuilder(uri("/v1/models/charlm-rnn/generate"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build();
        var r = HTTP.send(chunked, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(JSON.readTree(r.body()).get("type").asString()).isEqualTo("urn:stepwise:problem:payload-too-large");
    }

    @Test
    void healthIsUpWithEachModelAndStepsAreMetered() {
        post("/v1/sessions/" + createSession("co2-rnn") + "/step", json(Map.of("features", new float[][] {{0.2f}})));
        Reply health = send("GET", "/actuator/health", null, null);
        assertThat(health.status()).isEqualTo(200);
        JsonNode stepwise = health.json().get("components").get("stepwise");
        assertThat(stepwise.get("status").asString()).isEqualTo("UP");
        assertThat(stepwise.get("details").get("models").get("co2-rnn").get("loaded").asBoolean()).isTrue();
        assertThat(health.json().get("components").get("redis").get("status").asString()).isEqualTo("UP");
        Reply steps = send("GET", "/actuator/metrics/stepwise.steps?tag=model:co2-rnn", null, null);
        assertThat(steps.status()).isEqualTo(200);
        assertThat(steps.json().get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(1);
    }

    // ---- helpers ----

    static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /**
     * Equal to within the Session contract's 1e-5 (relative beyond magnitude 1): the service batches sessions'
     * steps, and a batched call may order the floating-point sums differently from a lone StepSession.
     */
    static void assertOutputs(JsonNode outputs, float[][] expected) {
        assertThat(outputs).hasSize(expected.length);
        for (int t = 0; t < expected.length; t++) {
            assertThat(outputs.get(t)).hasSize(expected[t].length);
            for (int i = 0; i < expected[t].length; i++) {
                float tolerance = 1e-5f * Math.max(1f, Math.abs(expected[t][i]));
                assertThat(outputs.get(t).get(i).floatValue()).as("step %d, output %d", t, i)
                        .isCloseTo(expected[t][i], within(tolerance));
            }
        }
    }

    static void assertForecast(JsonNode forecast, Forecast expected) {
        assertThat(forecast.get("horizon").asInt()).isEqualTo(expected.horizon());
        for (int h = 0; h < expected.horizon(); h++) {
            assertThat(forecast.get("values").get(h).get(0).asDouble()).as("step %d", h)
                    .isCloseTo(expected.value(h + 1, 0), within(1e-4 * Math.max(1, Math.abs(expected.value(h + 1, 0)))));
        }
    }

    static List<String[]> parseEvents(String body) {
        List<String[]> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String name = null;
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            events.add(new String[] {name, data});
        }
        return events;
    }
}
