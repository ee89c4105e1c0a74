package io.stepwise.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;
import io.stepwise.spring.store.InMemorySessionStore;
import io.stepwise.spring.store.RedisSessionStore;
import io.stepwise.spring.store.SessionStore;
import io.stepwise.spring.testing.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class StepwiseAutoConfigurationTest {
    static final Path MODELS = Path.of("..", "models");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StepwiseAutoConfiguration.class,
                    StepwiseRedisStoreAutoConfiguration.class, StepwiseObservabilityAutoConfiguration.class));

    @Test
    void namedModelsAreLoadedAndServedWithTheInMemoryStoreByDefault() {
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    ModelRegistry registry = ctx.getBean(ModelRegistry.class);
                    assertThat(registry.all()).extracting(ServedModel::name).containsExactly("co2");
                    assertThat(registry.get("co2").isSteppable()).isTrue();
                    assertThat(ctx.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class);
                    assertThatThrownBy(() -> registry.get("nope")).isInstanceOf(ModelNotFoundException.class)
                            .hasMessageContaining("'nope'").hasMessageContaining("[co2]");
                });
    }

    @Test
    void everyOnnxFileOfTheModelsFolderIsLoadedUnderItsFileName(@TempDir Path dir) throws Exception {
        Files.copy(MODELS.resolve("co2-rnn.onnx"), dir.resolve("b-co2.onnx"));
        Files.copy(MODELS.resolve("co2-gru.onnx"), dir.resolve("a-co2.onnx"));
        Files.writeString(dir.resolve("README.md"), "not a model");
        runner.withPropertyValues("stepwise.models-dir=" + dir).run(ctx -> {
            assertThat(ctx.getBean(ModelRegistry.class).all()).extracting(ServedModel::name)
                    .containsExactly("a-co2", "b-co2");
        });
    }

    @Test
    void aModelIsLoadedFromAClassPathResourceWithTheRuntimeOptionsOfTheProperties(@TempDir Path dir)
            throws Exception {
        Files.createDirectories(dir.resolve("bundled"));
        Files.copy(MODELS.resolve("co2-rnn.onnx"), dir.resolve("bundled/co2.onnx"));
        String fingerprint;
        try (RecurrentModel direct = RecurrentModel.load(MODELS.resolve("co2-rnn.onnx"))) {
            fingerprint = direct.info().fingerprint();
        }
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()},
                getClass().getClassLoader())) {
            runner.withClassLoader(loader).withPropertyValues("stepwise.models.co2.resource=bundled/co2.onnx",
                    "stepwise.runtime.intra-op-threads=2", "stepwise.runtime.optimization-level=BASIC").run(ctx -> {
                        assertThat(ctx).hasNotFailed();
                        StepwiseProperties.Runtime runtime = ctx.getBean(StepwiseProperties.class).getRuntime();
                        assertThat(runtime.getIntraOpThreads()).isEqualTo(2);
                        assertThat(runtime.getOptimizationLevel())
                                .isEqualTo(io.stepwise.runtime.RuntimeOptions.OptimizationLevel.BASIC);
                        ServedModel co2 = ctx.getBean(ModelRegistry.class).get("co2");
                        assertThat(co2.info().fingerprint()).isEqualTo(fingerprint);
                        try (Session s = co2.openSession()) {
                            assertThat(s.step(new float[] {0.3f})).hasSize(1);
                        }
                    });
        }
        runner.withPropertyValues("stepwise.models.x.resource=bundled/none.onnx")
                .run(ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("bundled/none.onnx"));
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"),
                "stepwise.runtime.intra-op-threads=-1").run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("stepwise.runtime.intra-op-threads: expected ≥ 0"));
    }

    @Test
    void aServedSessionStepsLikeAStepSessionOfTheSameModel() {
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx")).run(ctx -> {
            ServedModel served = ctx.getBean(ModelRegistry.class).get("co2");
            float[][] rows = {{0.1f}, {0.4f}, {-0.2f}};
            try (RecurrentModel direct = RecurrentModel.load(MODELS.resolve("co2-rnn.onnx"));
                 StepSession expected = direct.newSession();
                 Session actual = served.openSession()) {
                assertThat(served.openSessions()).isEqualTo(1);
                assertThat(actual.feed(rows)).isDeepEqualTo(expected.feed(rows));
                assertThat(actual.step(new float[] {0.3f})).containsExactly(expected.step(new float[] {0.3f}));
                assertThat(actual.snapshot()).isEqualTo(expected.snapshot());
            }
            assertThat(served.openSessions()).isZero();
        });
    }

    @Test
    void theDirectSourceStepsOnTheModelItselfTrackedButNotBatched() {
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx")).run(ctx -> {
            ServedModel served = ctx.getBean(ModelRegistry.class).get("co2");
            assertThat(served.isBatched()).isTrue();
            float[][] rows = {{0.1f}, {0.4f}, {-0.2f}};
            long batchedSteps = served.batchingStats().orElseThrow().steps();
            try (RecurrentModel direct = RecurrentModel.load(MODELS.resolve("co2-rnn.onnx"));
                 StepSession expected = direct.newSession();
                 Session actual = served.directSource().newSession()) {
                assertThat(served.openSessions()).isEqualTo(1);
                assertThat(actual.feed(rows)).isDeepEqualTo(expected.feed(rows));
                assertThat(actual.step(new float[] {0.3f})).containsExactly(expected.step(new float[] {0.3f}));
                assertThat(actual.snapshot()).isEqualTo(expected.snapshot());
            }
            assertThat(served.openSessions()).isZero();
            assertThat(served.batchingStats().orElseThrow().steps()).as("steps run by the batching front")
                    .isEqualTo(batchedSteps);
            served.drain(1000);
            assertThatThrownBy(() -> served.directSource().newSession())
                    .isInstanceOf(ModelUnavailableException.class);
        });
    }

    @Test
    void metricsCountStepsAndHealthReportsEachModel() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx")).run(ctx -> {
                    ServedModel served = ctx.getBean(ModelRegistry.class).get("co2");
                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    try (Session s = served.openSession()) {
                        s.feed(new float[][] {{0.1f}, {0.2f}});
                        s.step(new float[] {0.3f});
                        assertThat(meters.get("stepwise.sessions.open").tag("model", "co2").gauge().value())
                                .isEqualTo(1.0);
                    }
                    assertThat(meters.get("stepwise.steps").tag("model", "co2").counter().count()).isEqualTo(3.0);
                    assertThat(meters.get("stepwise.step.latency").tag("model", "co2").timer().count())
                            .isEqualTo(2);
                    assertThat(served.isBatched()).isTrue();
                    assertThat(meters.get("stepwise.batch.size").tag("model", "co2").summary().count())
                            .isGreaterThanOrEqualTo(2);
                    assertThat(meters.get("stepwise.queue.wait").tag("model", "co2").timer().count())
                            .isGreaterThanOrEqualTo(2);
                    Health health = ctx.getBean(StepwiseHealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    @SuppressWarnings("unchecked")
                    Map<String, Map<String, Object>> models =
                            (Map<String, Map<String, Object>>) health.getDetails().get("models");
                    assertThat(models.get("co2")).containsEntry("loaded", true).containsEntry("openSessions", 0)
                            .containsEntry("queuedSteps", 0L).containsEntry("batched", true)
                            .containsEntry("batchedSessions", 0);
                });
    }

    @Test
    void refusedRequestsAreCountedPerModelAndReason() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"),
                        "stepwise.batching.max-sessions=1").run(ctx -> {
                    ServedModel served = ctx.getBean(ModelRegistry.class).get("co2");
                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    try (Session first = served.openSession()) {
                        first.step(new float[] {0.1f});
                        assertThatThrownBy(served::openSession)
                                .isInstanceOf(io.stepwise.runtime.batch.BatchingOverloadedException.class);
                    }
                    assertThat(meters.get("stepwise.requests.rejected").tag("model", "co2")
                            .tag("reason", "too many sessions").counter().count()).isEqualTo(1.0);
                    served.drain(1000);
                    assertThatThrownBy(served::openSession).isInstanceOf(ModelUnavailableException.class);
                    assertThat(meters.get("stepwise.requests.rejected").tag("model", "co2")
                            .tag("reason", "shutting-down").counter().count()).isEqualTo(1.0);
                });
    }

    @Test
    void evictedSessionsAreCountedPerModel() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"),
                        "stepwise.batching.idle-timeout=50ms").run(ctx -> {
                    ServedModel served = ctx.getBean(ModelRegistry.class).get("co2");
                    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
                    try (Session idle = served.openSession()) {
                        idle.step(new float[] {0.1f});
                        // Left idle past the 50 ms timeout, it is evicted by the batching front's sweep; waited
                        // for with a generous deadline, not timed.
                        long deadline = System.currentTimeMillis() + 30_000;
                        while (meters.find("stepwise.sessions.evicted").tag("model", "co2").counter() == null
                                && System.currentTimeMillis() < deadline) {
                            Thread.sleep(20);
                        }
                        assertThat(meters.get("stepwise.sessions.evicted").tag("model", "co2").counter().count())
                                .isEqualTo(1.0);
                        assertThat(served.batchingStats().orElseThrow().evictedSessions()).isEqualTo(1L);
                        assertThatThrownBy(() -> idle.step(new float[] {0.2f}))
                                .isInstanceOf(io.stepwise.runtime.batch.SessionEvictedException.class);
                    }
                });
    }

    @Test
    void batchingCanBeTurnedOffAndIsNeverUsedForModelsThatCannotBeStepped() {
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"),
                "stepwise.models.langid.path=" + MODELS.resolve("langid-rnn.onnx")).run(ctx -> {
                    assertThat(ctx.getBean(ModelRegistry.class).get("co2").isBatched()).isTrue();
                    assertThat(ctx.getBean(ModelRegistry.class).get("langid").isBatched()).isFalse();
                });
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"),
                "stepwise.batching.enabled=false").run(ctx ->
                assertThat(ctx.getBean(ModelRegistry.class).get("co2").isBatched()).isFalse());
    }

    @Test
    void shutdownWaitsForSessionsThenSavesTheStatesOfThoseStillOpenAndRefusesNewWork() {
        List<SessionState> saved = new ArrayList<>();
        ServedModel[] served = new ServedModel[1];
        Session[] live = new Session[1];
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"),
                "stepwise.shutdown.timeout=200ms").run(ctx -> {
                    served[0] = ctx.getBean(ModelRegistry.class).get("co2");
                    try (Session finished = served[0].openSession(saved::add)) {
                        finished.step(new float[] {0.5f});
                    }
                    live[0] = served[0].openSession(saved::add);
                    live[0].feed(new float[][] {{0.1f}, {0.2f}, {0.3f}});
                });
        assertThat(saved).hasSize(1);
        assertThat(saved.get(0).position()).isEqualTo(3);
        assertThat(served[0].isLoaded()).isFalse();
        assertThat(live[0].isClosed()).isTrue();
        assertThatThrownBy(served[0]::openSession).isInstanceOf(ModelUnavailableException.class)
                .hasMessageContaining("shutting down");
    }

    @Test
    void aContextStoppedAndStartedAgainServesAgain() {
        runner.withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx")).run(ctx -> {
            ServedModel co2 = ctx.getBean(ModelRegistry.class).get("co2");
            ctx.stop();
            assertThatThrownBy(co2::openSession).isInstanceOf(ModelUnavailableException.class);
            assertThat(co2.isLoaded()).isTrue();
            ctx.start();
            try (Session s = co2.openSession()) {
                assertThat(s.step(new float[] {0.5f})).hasSize(1);
            }
        });
    }

    @Test
    void theRedisStoreIsUsedWhenConfigured() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                            StepwiseAutoConfiguration.class, StepwiseRedisStoreAutoConfiguration.class))
                    .withPropertyValues("stepwise.models.co2.path=" + MODELS.resolve("co2-rnn.onnx"),
                            "stepwise.store.type=redis", "spring.data.redis.port=" + redis.port())
                    .run(ctx -> assertThat(ctx.getBean(SessionStore.class)).isInstanceOf(RedisSessionStore.class));
        }
    }

    @Test
    void runLimitsComeFromTheProperties() {
        runner.withPropertyValues("stepwise.models.x.path=" + MODELS.resolve("co2-rnn.onnx"),
                "stepwise.runtime.call-timeout=30s", "stepwise.runtime.max-steps-per-run=512",
                "stepwise.runtime.max-beam-width=8", "stepwise.runtime.max-new-tokens=1000",
                "stepwise.runtime.max-horizon=50").run(ctx -> {
                    io.stepwise.runtime.RunLimits limits =
                            ctx.getBean(ModelRegistry.class).get("x").model().runLimits();
                    assertThat(limits.callTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
                    assertThat(limits.maxStepsPerRun()).isEqualTo(512);
                    assertThat(limits.maxBeamWidth()).isEqualTo(8);
                    assertThat(limits.maxNewTokens()).isEqualTo(1000);
                    assertThat(limits.maxHorizon()).isEqualTo(50);
                });
        runner.withPropertyValues("stepwise.models.x.path=" + MODELS.resolve("co2-rnn.onnx"),
                "stepwise.runtime.max-beam-width=0")
                .run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("stepwise.runtime.max-beam-width: expected 1..16777216 but got 0"));
    }

    @Test
    void misconfigurationFailsStartupNamingTheProperty() {
        runner.withPropertyValues("stepwise.models.x.path=" + MODELS.resolve("co2-rnn.onnx"),
                "stepwise.models.x.resource=models/co2-rnn.onnx")
                .run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("stepwise.models.x: expected exactly one of path or resource"));
        runner.withPropertyValues("stepwise.batching.max-batch-size=0")
                .run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("stepwise.batching.max-batch-size: expected ≥ 1 but got 0"));
        runner.withPropertyValues("stepwise.models-dir=/no/such/folder")
                .run(ctx -> assertThat(ctx).getFailure().rootCause()
                        .hasMessageContaining("stepwise.models-dir").hasMessageContaining("not a folder"));
        runner.withPropertyValues("stepwise.models.x.path=/no/such/model.onnx")
                .run(ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("/no/such/model.onnx"));
    }
}
