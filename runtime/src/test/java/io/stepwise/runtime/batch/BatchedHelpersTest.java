package io.stepwise.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.TinyModels;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.ForecastStream;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.GenerationResult;
import io.stepwise.runtime.text.TextGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The task helpers run unchanged on a {@link BatchingModel}: many concurrent generations (sampling, greedy, beam
 * search) and forecast streams share calls and give what they give on plain sessions.
 */
class BatchedHelpersTest {

    @Test
    void concurrentGenerationsShareCallsAndMatchPlainSessions() throws Exception {
        try (RecurrentModel plain = TinyModels.languageModel(3);
             RecurrentModel model = TinyModels.languageModel(3);
             BatchingModel batching = BatchingModel.builder().setModel(model).build()) {
            TextGenerator reference = new TextGenerator(plain);
            TextGenerator batched = new TextGenerator(batching);
            List<GenerationConfig> configs = new ArrayList<>();
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                prompts.add(List.of("a", "bad ", "cage\n", "head", "f").get(i % 5));
                configs.add(switch (i % 3) {
                    case 0 -> GenerationConfig.greedy(40);
                    case 1 -> GenerationConfig.builder().optSampling().optSeed(i).optTemperature(0.9)
                            .optMaxNewTokens(40).build();
                    default -> GenerationConfig.builder().optBeamSearch(3).optMaxNewTokens(15).build();
                });
            }
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<GenerationResult>> results = new ArrayList<>();
                for (int i = 0; i < configs.size(); i++) {
                    int at = i;
                    results.add(pool.submit(() -> batched.generate(prompts.get(at), configs.get(at))));
                }
                for (int i = 0; i < configs.size(); i++) {
                    GenerationResult got = results.get(i).get(60, TimeUnit.SECONDS);
                    GenerationResult expected = reference.generate(prompts.get(i), configs.get(i));
                    assertEquals(expected.text(), got.text(), "generation " + i);
                    assertArrayEquals(expected.tokenIds(), got.tokenIds(), "generation " + i);
                    assertEquals(expected.logProbability(), got.logProbability(), 1e-3, "generation " + i);
                }
            } finally {
                pool.shutdownNow();
            }
            BatchingStats stats = batching.stats();
            assertEquals(0, stats.openSessions(), "the generator closed every session it opened");
            assertTrue(stats.meanBatchSize() > 1.2, "12 concurrent generations share calls: " + stats);
        }
    }

    @Test
    void forecastsAndStreamsOnBatchedSessionsMatchPlainOnes() throws Exception {
        try (RecurrentModel plain = TinyModels.forecaster(9);
             RecurrentModel model = TinyModels.forecaster(9);
             BatchingModel batching = BatchingModel.builder().setModel(model).build()) {
            Forecaster reference = new Forecaster(plain);
            Forecaster batched = new Forecaster(batching);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<double[][]>> streams = new ArrayList<>();
                for (int k = 0; k < 16; k++) {
                    int seed = k;
                    streams.add(pool.submit(() -> run(batched, seed)));
                }
                for (int k = 0; k < 16; k++) {
                    double[][] got = streams.get(k).get(60, TimeUnit.SECONDS);
                    double[][] expected = run(reference, k);
                    for (int r = 0; r < expected.length; r++) {
                        for (int c = 0; c < expected[r].length; c++) {
                            assertEquals(expected[r][c], got[r][c], 1e-3, "stream " + k + " [" + r + "][" + c + "]");
                        }
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, batching.stats().openSessions());
        }
    }

    /** A stream fed 30 observations, asked for a forecast every 10, then a whole-history forecast. */
    private static double[][] run(Forecaster forecaster, int seed) {
        java.util.Random rnd = new java.util.Random(seed);
        List<double[]> rows = new ArrayList<>();
        double[][] history = new double[30][];
        try (ForecastStream stream = forecaster.openStream()) {
            for (int t = 0; t < 30; t++) {
                history[t] = new double[] {500 + 80 * rnd.nextGaussian(), 12 + 4 * rnd.nextGaussian()};
                stream.push(history[t]);
                if (t % 10 == 9) {
                    Forecast f = stream.forecast(4);
                    rows.addAll(List.of(f.values()));
                }
            }
        }
        rows.addAll(List.of(forecaster.forecast(history, 5).values()));
        return rows.toArray(double[][]::new);
    }
}
