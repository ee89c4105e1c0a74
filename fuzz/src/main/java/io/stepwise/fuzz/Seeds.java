package io.stepwise.fuzz;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The valid inputs every case starts from: tiny models of each cell and input kind written by the exporter (fast
 * to load, so many cases per second) plus the committed default models, a session state of a small LSTM, the
 * committed CSV series, a text corpus and word lists from {@code data/}. Written into a folder the child reads.
 */
final class Seeds {
    static final String STATE_MODEL = "state-model.onnx";
    static final String WORDS_OTHER = "german.txt";

    private final Map<Target, List<byte[]>> inputs = new EnumMap<>(Target.class);

    private Seeds() {
    }

    /** A {@link LimitsCase} script: chunk and timeout codes first, then random calls. */
    private static byte[] limitsScript(long seed, int chunk, int timeout) {
        byte[] b = new byte[2 + 16 * 6];
        new java.util.Random(seed).nextBytes(b);
        b[0] = (byte) chunk;
        b[1] = (byte) timeout;
        return b;
    }

    List<byte[]> of(Target target) {
        return inputs.getOrDefault(target, List.of());
    }

    /**
     * @param folder where the child finds the state model and the second word list
     * @param models the committed default models (may be missing: only the tiny models are used then)
     * @param data   the project's data folder (time series, word lists)
     */
    static Seeds create(Path folder, Path models, Path data) throws IOException {
        Files.createDirectories(folder);
        Seeds s = new Seeds();
        List<byte[]> modelSeeds = new ArrayList<>();
        OnnxExporter exporter = OnnxExporter.builder().build();
        List<String> letters = List.of("a", "b", "c", "d", "e", "f");
        NetworkSpec lstm = NetworkSpec.builder().setCell(CellKind.LSTM).optLayers(2).setHiddenSize(4)
                .setTokenInput(letters.size(), 3).setOutputSize(letters.size()).build();
        byte[] lstmBytes = exporter.toBytes(lstm, weights(lstm, 1), ModelMetadata.builder()
                .setTask(Task.LANGUAGE_MODEL).optVocabulary(letters).build());
        modelSeeds.add(lstmBytes);
        NetworkSpec gru = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(5).setFeatureInput(2)
                .setOutputSize(2).build();
        modelSeeds.add(exporter.toBytes(gru, weights(gru, 2), ModelMetadata.builder().setTask(Task.FORECASTER)
                .optForecast(Map.of("horizon", 3)).build()));
        NetworkSpec rnn = NetworkSpec.builder().setCell(CellKind.RNN_TANH).setHiddenSize(3).optBidirectional(true)
                .setTokenInput(letters.size(), 2).optHead(HeadKind.FINAL_STATE).setOutputSize(2).build();
        modelSeeds.add(exporter.toBytes(rnn, weights(rnn, 3), ModelMetadata.builder().setTask(Task.CLASSIFIER)
                .optVocabulary(letters).optLabels(List.of("x", "y")).build()));
        for (String name : List.of("co2-rnn.onnx", "co2-gru.onnx")) {
            Path p = models.resolve(name);
            if (Files.isRegularFile(p)) {
                modelSeeds.add(Files.readAllBytes(p));
            }
        }
        s.inputs.put(Target.MODEL, modelSeeds);
        s.inputs.put(Target.MODEL_RAW, modelSeeds);

        Path stateModel = folder.resolve(STATE_MODEL);
        Files.write(stateModel, lstmBytes);
        try (RecurrentModel m = RecurrentModel.load(stateModel); StepSession session = m.newSession()) {
            List<byte[]> states = new ArrayList<>();
            states.add(session.snapshot().toBytes());
            session.feed(new int[] {1, 2, 3, 4});
            states.add(session.snapshot().toBytes());
            s.inputs.put(Target.STATE, states);
        }
        s.inputs.put(Target.LIMITS, List.of(limitsScript(11, 0, 0), limitsScript(12, 5, 200), limitsScript(13, 40, 255)));

        List<byte[]> csv = new ArrayList<>();
        Path series = data.resolve("timeseries");
        if (Files.isDirectory(series)) {
            try (Stream<Path> files = Files.list(series)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".csv")).sorted().toList()) {
                    csv.add(Files.readAllBytes(p));
                }
            }
        }
        csv.add("date,value\n2020-01-01,1.5\n2020-01-02,\n2020-01-03,2.5\n".getBytes(StandardCharsets.UTF_8));
        s.inputs.put(Target.CSV, csv);

        List<String> english = firstLines(data.resolve("words").resolve("english.txt"), 300);
        List<String> german = firstLines(data.resolve("words").resolve("german.txt"), 300);
        if (english.isEmpty() || german.isEmpty()) {
            english = List.of("house", "tree", "water", "light", "stone");
            german = List.of("haus", "baum", "wasser", "licht", "stein");
        }
        s.inputs.put(Target.CORPUS, List.of((String.join(" ", english) + "\n").repeat(3)
                .getBytes(StandardCharsets.UTF_8)));
        s.inputs.put(Target.WORDS, List.of((String.join("\n", english) + "\n").getBytes(StandardCharsets.UTF_8)));
        Files.writeString(folder.resolve(WORDS_OTHER), String.join("\n", german) + "\n");
        s.inputs.put(Target.SELFTEST, List.of("ok".getBytes(StandardCharsets.UTF_8)));
        return s;
    }

    private static List<String> firstLines(Path file, int n) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.limit(n).toList();
        }
    }

    private static NetworkWeights weights(NetworkSpec spec, long seed) {
        Random r = new Random(seed);
        NetworkWeights.Builder w = NetworkWeights.builder(spec);
        if (spec.embeddingSize() > 0) {
            w.setEmbedding(gaussian(r, spec.inputSize() * spec.embeddingSize()));
        }
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                w.setLayer(l, d, new LayerWeights(gaussian(r, rows * spec.layerInputSize(l)),
                        gaussian(r, rows * spec.hiddenSize()), gaussian(r, rows), gaussian(r, rows)));
            }
        }
        w.setHead(gaussian(r, spec.outputSize() * spec.headInputSize()), gaussian(r, spec.outputSize()));
        return w.build();
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * 0.5);
        }
        return a;
    }
}
