package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "Never a 500 for anything a client sent": odd but well-formed HTTP requests against every endpoint — wrong JSON
 * types, nulls where values belong, non-finite numbers, out-of-range numbers, characters outside a vocabulary, odd
 * ids and If-Match values — each answered with a 4xx problem detail, none with a 5xx. That includes URIs Tomcat
 * refuses before the application sees them (an encoded NUL or slash): {@link TomcatProblemReports}.
 */
class ClientInputNever500Test extends ServiceTestBase {

    private record Case(String method, String path, String body, String... headers) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body) + (headers.length == 0 ? ""
                    : " " + String.join(": ", headers));
        }
    }

    private String session(String model) {
        Reply r = post("/v1/sessions", json(Map.of("model", model)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    @Test
    void oddInputToEveryEndpointIsA4xxProblemDetail() {
        String gen = "/v1/models/charlm-rnn/generate";
        String cls = "/v1/models/langid-rnn/classify";
        String fc = "/v1/models/co2-rnn/forecast";
        String text = session("charlm-rnn");
        String series = session("co2-rnn");
        String state = get("/v1/sessions/" + text + "/state").json().get("state").asString();
        List<Case> cases = new ArrayList<>();
        for (String body : List.of("null", "[]", "\"x\"", "7", "{\"prompt\": null}", "{\"prompt\": 5}",
                "{\"prompt\": [\"a\"]}", "{\"prompt\": \"a\", \"stopStrings\": [null]}",
                "{\"prompt\": \"a\", \"stopStrings\": [\"\"]}", "{\"prompt\": \"a\", \"stopStrings\": \"x\"}",
                "{\"prompt\": \"a\", \"topK\": -1}", "{\"prompt\": \"a\", \"temperature\": 1e309}",
                "{\"prompt\": \"a\", \"temperature\": \"NaN\"}", "{\"prompt\": \"a\", \"topP\": 0}",
                "{\"prompt\": \"a\", \"seed\": 1e30}", "{\"prompt\": \"a\", \"maxNewTokens\": 99999999999}",
                "{\"prompt\": \"a\", \"repetitionPenalty\": 0.5}", "{\"prompt\": \"日本語\"}",
                "{\"prompt\": \"a\\u0000\"}", "{\"prompt\": \"a\", \"strategy\": null}",
                "{\"prompt\": \"a\", \"strategy\": \"beam_search\", \"beamWidth\": 0}",
                "{\"prompt\": \"a\", \"strategy\": \"beam_search\", \"lengthPenalty\": 1e309}",
                "{\"prompt\": \"a\", \"beamWidth\": 2}")) {
            cases.add(new Case("POST", gen, body));
        }
        for (String body : List.of("{}", "null", "{\"texts\": null}", "{\"texts\": [null]}", "{\"text\": \"\"}",
                "{\"texts\": []}", "{\"text\": \"a\", \"top\": 0}", "{\"text\": \"日本語\"}", "{\"text\": 5}",
                "{\"texts\": \"bonjour\"}")) {
            cases.add(new Case("POST", cls, body));
        }
        for (String body : List.of("{}", "{\"history\": null}", "{\"history\": [null]}", "{\"history\": [[null]]}",
                "{\"history\": [[]]}", "{\"history\": [1], \"horizon\": -1}", "{\"history\": [\"NaN\"]}",
                "{\"history\": [1e309]}", "{\"history\": [[1], [1, 2]]}", "{\"history\": {\"a\": 1}}",
                "{\"history\": [1], \"horizon\": \"x\"}", "{\"history\": [1], \"horizon\": 1e12}",
                "{\"history\": [true]}")) {
            cases.add(new Case("POST", fc, body));
        }
        for (String body : List.of("null", "{\"model\": null}", "{\"model\": 5}", "{\"model\": \"co2-rnn\","
                + " \"state\": \"\"}", "{\"model\": \"co2-rnn\", \"lastOutput\": [1]}",
                "{\"model\": \"charlm-rnn\", \"state\": \"" + state + "\", \"lastOutput\": [1, 2, 3]}",
                "{\"model\": \"charlm-rnn\", \"state\": \"" + state + "\", \"lastOutput\": [1e309]}",
                "{\"model\": \"charlm-rnn\", \"state\": 5}")) {
            cases.add(new Case("POST", "/v1/sessions", body));
        }
        for (String body : List.of("null", "{}", "{\"tokens\": null}", "{\"tokens\": [-1]}", "{\"tokens\": [null]}",
                "{\"tokens\": \"abc\"}", "{\"text\": \"\"}", "{\"text\": \"日本\"}", "{\"features\": [[1]]}",
                "{\"tokens\": [1], \"features\": [[1]]}")) {
            cases.add(new Case("POST", "/v1/sessions/" + text + "/step", body));
        }
        for (String body : List.of("{\"features\": [[null]]}", "{\"features\": [null]}", "{\"features\": []}",
                "{\"features\": [[1e309]]}", "{\"features\": [[\"x\"]]}", "{\"tokens\": [1]}",
                "{\"features\": [1]}")) {
            cases.add(new Case("POST", "/v1/sessions/" + series + "/step", body));
        }
        for (String body : List.of("{}", "{\"observations\": null}", "{\"observations\": []}",
                "{\"observations\": [[1, 2]]}", "{\"observations\": \"x\"}", "{\"observations\": [1e309]}",
                "{\"observations\": [400], \"horizon\": -1}", "{\"observations\": [400], \"horizon\": 1000000}")) {
            cases.add(new Case("POST", "/v1/sessions/" + series + "/observations", body));
        }
        cases.add(new Case("POST", "/v1/sessions/" + text + "/observations", "{\"observations\": [1]}"));
        for (String query : List.of("horizon=abc", "horizon=-5", "horizon=99999999999", "horizon=")) {
            cases.add(new Case("GET", "/v1/sessions/" + series + "/forecast?" + query, null));
        }
        for (String ifMatch : List.of("\"-1\"", "W/\"x\"", "*", "\"99999999999999999999\"", "\"\"")) {
            cases.add(new Case("POST", "/v1/sessions/" + text + "/step", "{\"tokens\": [1]}", "If-Match", ifMatch));
            cases.add(new Case("DELETE", "/v1/sessions/" + text, null, "If-Match", ifMatch));
        }
        for (String id : List.of("x".repeat(2000), "%00", "..%2F..", "%E6%97%A5")) {
            cases.add(new Case("GET", "/v1/sessions/" + id, null));
            cases.add(new Case("GET", "/v1/sessions/" + id + "/state", null));
            cases.add(new Case("POST", "/v1/sessions/" + id + "/step", "{\"tokens\": [1]}"));
        }
        cases.add(new Case("GET", "/v1/models/%00", null));
        cases.add(new Case("POST", "/v1/models/co2-rnn/classify", "{\"text\": \"a\"}"));

        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            Reply r = send(c.method(), c.path(), KEY, c.body(), c.headers());
            String type = r.header("Content-Type");
            if (r.status() < 400 && r.status() >= 200) {
                continue; // an odd request may still be a valid one (e.g. a wildcard If-Match)
            }
            if (r.status() >= 500 || type == null || !type.startsWith("application/problem+json")) {
                failures.add(c + " → " + r.status() + " " + type + " " + r.body());
            }
        }
        assertThat(failures).as("requests answered with a 5xx or without a problem detail").isEmpty();
        // The sessions the cases tried to change are where they were: every refused update changed nothing.
        assertThat(get("/v1/sessions/" + series).json().get("position").asLong()).isZero();
    }
}
