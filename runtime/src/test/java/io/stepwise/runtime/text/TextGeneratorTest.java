package io.stepwise.runtime.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.FakeSession;
import io.stepwise.runtime.Logits;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.RecordingSource;
import io.stepwise.runtime.StepSession;
import io.stepwise.runtime.TinyModels;
import io.stepwise.runtime.text.GenerationResult.StopReason;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {
    private static final List<String> LETTERS = List.of("a", "b", "c", "d", "e", "f", "g", "h");

    private static float[][] randomTable(int size, long seed) {
        Random r = new Random(seed);
        float[][] t = new float[size][size];
        for (float[] row : t) {
            for (int j = 0; j < size; j++) {
                row[j] = (float) (r.nextGaussian() * 2);
            }
        }
        return t;
    }

    private static TextGenerator bigramGenerator(List<String> vocabulary, float[][] table) {
        return new TextGenerator(CharTokenizer.of(vocabulary), () -> FakeSession.bigram(table));
    }

    /** a→b, b→c, c→\n, \n→a with probability ≈ 1. */
    private static TextGenerator cycleGenerator() {
        float[][] t = new float[4][4];
        for (int i = 0; i < 4; i++) {
            java.util.Arrays.fill(t[i], -10);
            t[i][(i + 1) % 4] = 10;
        }
        return bigramGenerator(List.of("a", "b", "c", "\n"), t);
    }

    @Test
    void greedyFollowsTheArgmaxPath() {
        float[][] table = randomTable(8, 1);
        GenerationResult r = bigramGenerator(LETTERS, table).generate("c", GenerationConfig.greedy(12));
        int last = 2;
        StringBuilder expected = new StringBuilder();
        double logProbability = 0;
        for (int i = 0; i < 12; i++) {
            int next = Logits.argmax(table[last]);
            logProbability += Logits.logSoftmax(table[last])[next];
            expected.append(LETTERS.get(next));
            last = next;
        }
        assertEquals(expected.toString(), r.text());
        assertEquals(12, r.tokenIds().length);
        assertEquals(StopReason.MAX_TOKENS, r.stopReason());
        assertEquals(logProbability, r.logProbability(), 1e-9);
        assertEquals(1, r.promptTokens());
        assertTrue(r.seed().isEmpty());
    }

    @Test
    void topKOneEqualsGreedyForAnySeed() {
        TextGenerator g = bigramGenerator(LETTERS, randomTable(8, 2));
        String greedy = g.generate("a", GenerationConfig.greedy(20)).text();
        for (long seed = 0; seed < 5; seed++) {
            GenerationConfig c = GenerationConfig.builder().optTopK(1).optSeed(seed).optMaxNewTokens(20).build();
            assertEquals(greedy, g.generate("a", c).text());
        }
    }

    @Test
    void lowTemperatureApproachesGreedy() {
        float[][] table = randomTable(8, 3);
        TextGenerator g = bigramGenerator(LETTERS, table);
        String greedy = g.generate("a", GenerationConfig.greedy(20)).text();
        for (long seed = 0; seed < 5; seed++) {
            GenerationConfig c = GenerationConfig.builder().optTemperature(1e-4).optSeed(seed)
                    .optMaxNewTokens(20).build();
            assertEquals(greedy, g.generate("a", c).text());
        }
        double[] sharp = Sampler.distribution(table[0], 0.01, 0, 1);
        assertTrue(sharp[Logits.argmax(table[0])] > 0.999);
    }

    @Test
    void sameSeedSameTextAndTheReportedSeedReproduces() {
        TextGenerator g = bigramGenerator(LETTERS, randomTable(8, 4));
        GenerationConfig c = GenerationConfig.builder().optSeed(7).optMaxNewTokens(40).build();
        GenerationResult first = g.generate("a", c);
        assertEquals(first.text(), g.generate("a", c).text());
        assertEquals(7, first.seed().getAsLong());

        Set<String> texts = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            texts.add(g.generate("a", GenerationConfig.builder().optSeed(seed).optMaxNewTokens(40).build()).text());
        }
        assertTrue(texts.size() > 1, "different seeds should give different samples");

        GenerationResult unseeded = g.generate("a", GenerationConfig.builder().optMaxNewTokens(40).build());
        GenerationResult replay = g.generate("a", GenerationConfig.builder()
                .optSeed(unseeded.seed().getAsLong()).optMaxNewTokens(40).build());
        assertEquals(unseeded.text(), replay.text());
    }

    @Test
    void samplingFrequenciesMatchTheSoftmax() {
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        Sampler sampler = new Sampler(1.0, 0, 1.0, 11);
        int[] counts = new int[3];
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits)]++;
        }
        assertEquals(0.5, counts[0] / (double) draws, 0.015);
        assertEquals(0.3, counts[1] / (double) draws, 0.015);
        assertEquals(0.2, counts[2] / (double) draws, 0.015);
    }

    @Test
    void topPKeepsTheMinimalNucleus() {
        float[] logits = logs(0.1, 0.5, 0.3, 0.1);
        assertArrayEquals(new double[] {0, 1, 0, 0}, Sampler.distribution(logits, 1, 0, 0.4), 1e-9);
        assertArrayEquals(new double[] {0, 0.625, 0.375, 0}, Sampler.distribution(logits, 1, 0, 0.79), 1e-6);
        // Three tokens are needed for 0.85; of the two at 0.1 the lower id is ranked first.
        assertArrayEquals(new double[] {0.1 / 0.9, 0.5 / 0.9, 0.3 / 0.9, 0}, Sampler.distribution(logits, 1, 0, 0.85),
                1e-6);
        assertArrayEquals(new double[] {0.1, 0.5, 0.3, 0.1}, Sampler.distribution(logits, 1, 0, 1.0), 1e-6);
    }

    @Test
    void topKKeepsTheKMostLikely() {
        float[] logits = logs(0.1, 0.5, 0.3, 0.1);
        assertArrayEquals(new double[] {0, 0.625, 0.375, 0}, Sampler.distribution(logits, 1, 2, 1.0), 1e-6);
        assertArrayEquals(new double[] {0.1, 0.5, 0.3, 0.1}, Sampler.distribution(logits, 1, 10, 1.0), 1e-6);
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        double[] p = Logits.softmax(new float[] {1000f, 1001f, -1000f});
        assertEquals(1 / (1 + Math.E), p[0], 1e-12);
        assertEquals(Math.E / (1 + Math.E), p[1], 1e-12);
        assertEquals(0, p[2], 1e-300);
        double[] lp = Logits.logSoftmax(new float[] {1000f, 1001f});
        assertEquals(Math.log(p[0]), lp[0], 1e-12);
    }

    @Test
    void repetitionPenaltyChangesTheChoice() {
        List<String> abc = List.of("a", "b", "c");
        float[][] positive = {{2f, 1.5f, -1f}, {2f, 1.5f, -1f}, {2f, 1.5f, -1f}};
        assertEquals("aaa", bigramGenerator(abc, positive).generate("a", GenerationConfig.greedy(3)).text());
        GenerationConfig penalised = GenerationConfig.builder().optGreedy().optRepetitionPenalty(2)
                .optMaxNewTokens(3).build();
        // a: 2/2 = 1 < b 1.5 → b; then both seen: a 1 > b 0.75 → a, and again a.
        assertEquals("baa", bigramGenerator(abc, positive).generate("a", penalised).text());

        // A negative logit is multiplied: a −1 → −2 falls below b's −1.5 (dividing would have raised it).
        float[][] negative = {{-1f, -1.5f, -5f}, {-1f, -1.5f, -5f}, {-1f, -1.5f, -5f}};
        assertEquals("b", bigramGenerator(abc, negative).generate("a",
                GenerationConfig.builder().optGreedy().optRepetitionPenalty(2).optMaxNewTokens(1).build()).text());
    }

    @Test
    void stopStringEndsGenerationAndIsNotInTheText() {
        GenerationResult r = cycleGenerator().generate("a", GenerationConfig.builder().optGreedy()
                .optMaxNewTokens(50).optStopStrings("c\n").build());
        assertEquals("b", r.text());
        assertEquals(3, r.tokenIds().length);
        assertEquals(StopReason.STOP_STRING, r.stopReason());
        assertEquals("c\n", r.stopString().orElseThrow());

        // A stop string may begin in the prompt.
        GenerationResult straddling = cycleGenerator().generate("ab", GenerationConfig.builder().optGreedy()
                .optMaxNewTokens(50).optStopStrings("zz", "bc").build());
        assertEquals("", straddling.text());
        assertEquals(1, straddling.tokenIds().length);
        assertEquals("bc", straddling.stopString().orElseThrow());

        // A prompt that already ends with a stop string does not stop generation before it starts.
        GenerationResult afterPrompt = cycleGenerator().generate("ab", GenerationConfig.builder().optGreedy()
                .optMaxNewTokens(3).optStopStrings("b").build());
        assertEquals("c\na", afterPrompt.text());
        assertEquals(StopReason.MAX_TOKENS, afterPrompt.stopReason());
    }

    @Test
    void listenerStreamsEveryTokenAndCanCancel() {
        List<String> streamed = new ArrayList<>();
        GenerationResult r = bigramGenerator(LETTERS, randomTable(8, 5)).generate("a",
                GenerationConfig.builder().optSeed(3).optMaxNewTokens(30).build(), (id, text) -> {
                    assertEquals(LETTERS.get(id), text);
                    streamed.add(text);
                    return streamed.size() < 4;
                });
        assertEquals(StopReason.CANCELLED, r.stopReason());
        assertEquals(4, r.tokenIds().length);
        assertEquals(String.join("", streamed), r.text());
    }

    @Test
    void beamWidthOneEqualsGreedy() {
        for (long seed = 10; seed < 14; seed++) {
            TextGenerator g = bigramGenerator(LETTERS, randomTable(8, seed));
            GenerationResult greedy = g.generate("d", GenerationConfig.greedy(15));
            GenerationResult beam = g.generate("d", GenerationConfig.builder().optBeamSearch(1)
                    .optMaxNewTokens(15).build());
            assertArrayEquals(greedy.tokenIds(), beam.tokenIds());
            assertEquals(greedy.logProbability(), beam.logProbability(), 1e-9);
        }
    }

    @Test
    void beamSearchFindsTheLikelierSequenceThatGreedyMisses() {
        // After 'a': b 0.6, c 0.4. After 'b': six tokens equally likely. After 'c': d 0.99.
        float[][] table = new float[8][8];
        for (float[] row : table) {
            java.util.Arrays.fill(row, -30f);
        }
        table[0][1] = (float) Math.log(0.6);
        table[0][2] = (float) Math.log(0.4);
        for (int j = 2; j < 8; j++) {
            table[1][j] = (float) Math.log(1 / 6.0);
        }
        table[2][3] = (float) Math.log(0.99);
        table[2][4] = (float) Math.log(0.01);
        TextGenerator g = bigramGenerator(LETTERS, table);
        GenerationResult greedy = g.generate("a", GenerationConfig.greedy(2));
        GenerationResult beam = g.generate("a", GenerationConfig.builder().optBeamSearch(2).optMaxNewTokens(2).build());
        assertEquals("bc", greedy.text());
        assertEquals("cd", beam.text());
        assertEquals(Math.log(0.4 * 0.99), beam.logProbability(), 1e-5);
        assertTrue(beam.logProbability() > greedy.logProbability() + 1);
    }

    @Test
    void wideBeamSearchIsExactAndRestoresEachBeamsState() {
        // Logits depend on the whole history, so a beam stepped from the wrong state would score wrongly.
        List<String> abc = List.of("a", "b", "c");
        java.util.function.Function<List<Object>, float[]> model = h -> {
            Random r = new Random(h.hashCode() * 31L + h.size());
            return new float[] {(float) r.nextGaussian() * 2, (float) r.nextGaussian() * 2,
                    (float) r.nextGaussian() * 2};
        };
        TextGenerator g = new TextGenerator(CharTokenizer.of(abc), () -> new FakeSession(model));
        double best = Double.NEGATIVE_INFINITY;
        int[] bestTokens = null;
        for (int s = 0; s < 27; s++) {
            int[] tokens = {s / 9, s / 3 % 3, s % 3};
            FakeSession fresh = new FakeSession(model);
            float[] logits = fresh.step(1); // prompt "b"
            double lp = 0;
            for (int t : tokens) {
                lp += Logits.logSoftmax(logits)[t];
                logits = fresh.step(t);
            }
            if (lp > best) {
                best = lp;
                bestTokens = tokens;
            }
        }
        GenerationResult beam = g.generate("b", GenerationConfig.builder().optBeamSearch(9).optMaxNewTokens(3)
                .build());
        assertArrayEquals(bestTokens, beam.tokenIds());
        assertEquals(best, beam.logProbability(), 1e-9);
        assertEquals(beam, beam); // deterministic equality below
        assertEquals(beam.text(), g.generate("b", GenerationConfig.builder().optBeamSearch(9).optMaxNewTokens(3)
                .build()).text());
    }

    @Test
    void beamSearchStopsAtStopStrings() {
        GenerationResult r = cycleGenerator().generate("a", GenerationConfig.builder().optBeamSearch(2)
                .optMaxNewTokens(20).optStopStrings("\n").build());
        assertEquals("bc", r.text());
        assertEquals(StopReason.STOP_STRING, r.stopReason());
        assertEquals(3, r.tokenIds().length);
    }

    @Test
    void encodingUsesTheUnknownTokenOrNamesTheCharacter() {
        CharTokenizer withUnknown = CharTokenizer.of(List.of("?", "a", "b"), 0);
        assertArrayEquals(new int[] {1, 0, 2}, withUnknown.encode("aéb"));
        TextGenerator g = bigramGenerator(List.of("a", "b"), new float[2][2]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.generate("abz", GenerationConfig.greedy(1)));
        assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("index 2"), e.getMessage());
        assertEquals("ab", g.decode(g.encode("ab")));
        // Supplementary code points count as one character.
        CharTokenizer emoji = CharTokenizer.of(List.of("\uD83D\uDE00", "x"));
        assertArrayEquals(new int[] {1, 0, 1}, emoji.encode("x\uD83D\uDE00x"));
    }

    @Test
    void refusesEmptyPromptsAndListenersWithBeamSearch() {
        TextGenerator g = cycleGenerator();
        assertThrows(IllegalArgumentException.class, () -> g.generate("", GenerationConfig.greedy(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.generate("a",
                GenerationConfig.builder().optBeamSearch(2).build(), (id, t) -> true));
        assertTrue(e.getMessage().startsWith("listener"), e.getMessage());
    }

    @Test
    void eachCallClosesItsSession() {
        AtomicInteger opened = new AtomicInteger();
        List<FakeSession> steppers = new ArrayList<>();
        float[][] table = randomTable(8, 6);
        TextGenerator g = new TextGenerator(CharTokenizer.of(LETTERS), () -> {
            opened.incrementAndGet();
            FakeSession s = FakeSession.bigram(table);
            steppers.add(s);
            return s;
        });
        g.generate("abc", GenerationConfig.greedy(5));
        g.generate("abc", GenerationConfig.builder().optBeamSearch(3).optMaxNewTokens(5).build());
        assertEquals(2, opened.get());
        for (FakeSession s : steppers) {
            assertEquals(1, s.closes());
        }
        // Greedy: 3 prompt steps + 4 generation steps (the last token is never fed).
        assertEquals(7, steppers.get(0).steps());
    }

    @Test
    void configValidationNamesTheSetting() {
        assertMessage("temperature", () -> GenerationConfig.builder().optTemperature(0).build());
        assertMessage("temperature", () -> GenerationConfig.builder().optTemperature(Double.NaN).build());
        assertMessage("topK", () -> GenerationConfig.builder().optTopK(-1).build());
        assertMessage("topP", () -> GenerationConfig.builder().optTopP(0).build());
        assertMessage("topP", () -> GenerationConfig.builder().optTopP(1.5).build());
        assertMessage("repetitionPenalty", () -> GenerationConfig.builder().optRepetitionPenalty(0.9).build());
        assertMessage("maxNewTokens", () -> GenerationConfig.builder().optMaxNewTokens(0).build());
        assertMessage("beamWidth", () -> GenerationConfig.builder().optBeamSearch(0).build());
        assertMessage("temperature", () -> GenerationConfig.builder().optGreedy().optTemperature(0.5).build());
        assertMessage("seed", () -> GenerationConfig.builder().optBeamSearch(2).optSeed(1).build());
        assertMessage("lengthPenalty", () -> GenerationConfig.builder().optLengthPenalty(2).build());
        assertMessage("stopStrings", () -> GenerationConfig.builder().optStopStrings("").build());
        GenerationConfig ok = GenerationConfig.builder().optTemperature(0.7).optTopK(5).optTopP(0.9)
                .optRepetitionPenalty(1.2).optSeed(1).build();
        assertEquals(GenerationConfig.Strategy.SAMPLING, ok.strategy());
        assertNotEquals("", ok.toString());
    }

    private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(prefix), x.getMessage());
    }

    private static float[] logs(double... p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) Math.log(p[i]);
        }
        return out;
    }

    @Test
    void endToEndGreedyMatchesManualSteppingOfARealModel() {
        try (RecurrentModel model = TinyModels.languageModel(1)) {
            TextGenerator g = new TextGenerator(model);
            GenerationResult r = g.generate("abc", GenerationConfig.greedy(25));
            StringBuilder expected = new StringBuilder();
            try (StepSession s = model.newSession()) {
                float[][] rows = s.feed(g.encode("abc"));
                float[] logits = rows[rows.length - 1];
                for (int i = 0; i < 25; i++) {
                    int token = Logits.argmax(logits);
                    expected.append(TinyModels.LETTERS.get(token));
                    logits = s.step(token);
                }
            }
            assertEquals(expected.toString(), r.text());
            assertTrue(r.tokensPerSecond() > 0);

            GenerationResult beamOfOne = g.generate("abc", GenerationConfig.builder().optBeamSearch(1)
                    .optMaxNewTokens(25).build());
            assertArrayEquals(r.tokenIds(), beamOfOne.tokenIds());

            GenerationConfig sampling = GenerationConfig.builder().optSeed(5).optTemperature(0.9).optTopP(0.95)
                    .optMaxNewTokens(30).build();
            assertEquals(g.generate("ab", sampling).text(), g.generate("ab", sampling).text());
            assertEquals(0, model.openSessions());
        }
    }

    @Test
    void endToEndBeamScoreEqualsRescoringItsTokensWithAFreshSession() {
        try (RecurrentModel model = TinyModels.languageModel(2)) {
            TextGenerator g = new TextGenerator(model);
            GenerationResult beam = g.generate("dag", GenerationConfig.builder().optBeamSearch(4)
                    .optLengthPenalty(0).optMaxNewTokens(10).build());
            double logProbability = 0;
            try (StepSession s = model.newSession()) {
                float[][] rows = s.feed(g.encode("dag"));
                float[] logits = rows[rows.length - 1];
                for (int token : beam.tokenIds()) {
                    logProbability += Logits.logSoftmax(logits)[token];
                    logits = s.step(token);
                }
            }
            assertEquals(logProbability, beam.logProbability(), 1e-4);
        }
    }

    @Test
    void runsUnchangedOnAnySessionSource() {
        try (RecurrentModel model = TinyModels.languageModel(3)) {
            RecordingSource front = new RecordingSource(model);
            GenerationConfig config = GenerationConfig.builder().optSeed(9).optTopK(3).optMaxNewTokens(20).build();
            assertEquals(new TextGenerator(model).generate("bad", config).text(),
                    new TextGenerator(front).generate("bad", config).text());
            assertEquals(1, front.opened().size());
            assertTrue(front.opened().get(0).isClosed(), "the generator closes the sessions it opens");
        }
    }

    @Test
    void refusesModelsForOtherTasks() {
        try (RecurrentModel classifier = TinyModels.classifier(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TextGenerator(classifier));
            assertTrue(e.getMessage().contains("classifier"), e.getMessage());
        }
    }
}
