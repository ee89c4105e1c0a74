package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;
import io.stepwise.runtime.text.TextGenerator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two replicas sharing Redis: the test's own application context and a second one started here, stopped and
 * started again between steps. A session continues on whichever replica serves it, exactly as one StepSession fed
 * the same inputs, and of two replicas updating it from the same position one gets 409.
 */
class ReplicaRestartTest extends ServiceTestBase {

    private ConfigurableApplicationContext startReplica() {
        // Command-line arguments: they outrank application.properties (builder properties would not).
        return new SpringApplicationBuilder(ServiceApplication.class).run(
                "--server.port=0",
                "--stepwise.models.charlm-rnn.path=../../models/charlm-rnn.onnx",
                "--stepwise.store.type=redis",
                "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + SharedRedis.get().port(),
                "--stepwise.service.api-keys=key-a,key-b",
                "--spring.main.banner-mode=off");
    }

    private static int portOf(ConfigurableApplicationContext replica) {
        return Integer.parseInt(replica.getEnvironment().getProperty("local.server.port"));
    }

    /** A request to another replica: the same client, pointed at its port. */
    private Reply on(int replicaPort, String path, Object body, String ifMatch) {
        int own = port;
        port = replicaPort;
        try {
            return post(path, json(body), "If-Match", ifMatch);
        } finally {
            port = own;
        }
    }

    @Test
    void aSessionContinuesExactlyAcrossReplicasAndARestartAndConcurrentReplicasGet409() {
        try (RecurrentModel model = RecurrentModel.load(MODELS.resolve("charlm-rnn.onnx"));
             StepSession expected = model.newSession()) {
            TextGenerator text = new TextGenerator(model);
            String id;
            int replicaPort;
            ConfigurableApplicationContext replica = startReplica();
            try {
                replicaPort = portOf(replica);
                Reply created = post("/v1/sessions", json(Map.of("model", "charlm-rnn")));
                org.assertj.core.api.Assertions.assertThat(created.status()).as(created.body()).isEqualTo(201);
                id = created.json().get("id").asString();
                String step = "/v1/sessions/" + id + "/step";

                Reply a = on(replicaPort, step, Map.of("text", "Mr "), "\"0\"");
                assertThat(a.status()).as(a.body()).isEqualTo(200);
                ApiContractTest.assertOutputs(a.json().get("outputs"), expected.feed(text.encode("Mr ")));

                Reply b = post(step, json(Map.of("text", "Pres")), "If-Match", "\"3\"");
                ApiContractTest.assertOutputs(b.json().get("outputs"), expected.feed(text.encode("Pres")));

                // Both replicas saw position 7; the first write wins, the second is refused and changes nothing.
                Reply first = on(replicaPort, step, Map.of("text", "i"), "\"7\"");
                Reply second = post(step, json(Map.of("text", "x")), "If-Match", "\"7\"");
                assertThat(first.status()).isEqualTo(200);
                ApiContractTest.assertProblem(second, 409, "stale-position");
                assertThat(second.json().get("position").asLong()).isEqualTo(8);
                ApiContractTest.assertOutputs(first.json().get("outputs"), expected.feed(text.encode("i")));
            } finally {
                replica.close();
            }

            ConfigurableApplicationContext restarted = startReplica();
            try {
                Reply c = on(portOf(restarted), "/v1/sessions/" + id + "/step", Map.of("text", "dent"), "\"8\"");
                assertThat(c.status()).as(c.body()).isEqualTo(200);
                ApiContractTest.assertOutputs(c.json().get("outputs"), expected.feed(text.encode("dent")));
                assertThat(c.json().get("position").asLong()).isEqualTo(12);
            } finally {
                restarted.close();
            }
        }
    }
}
