package io.stepwise.fuzz;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.stepwise.runtime.ModelValidationException;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;
import io.stepwise.runtime.StepwiseException;
import io.stepwise.training.data.CharCorpus;
import io.stepwise.training.data.SeriesCsv;
import io.stepwise.training.data.TimeSeries;
import io.stepwise.training.data.WordLanguageDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The child JVM: reads {@code RUN <target> <file>} lines on standard input, runs each case and answers one
 * {@code @@ <outcome>} line. Anything else the libraries print goes to standard error, which the parent keeps
 * apart. A crash or a hang ends this process; the parent attributes it to the case it sent last.
 */
public final class FuzzChild {
    static final String PREFIX = "@@ ";

    private final Path seeds;
    private final PrintStream out;
    private RecurrentModel stateModel;

    private FuzzChild(Path seeds, PrintStream out) {
        this.seeds = seeds;
        this.out = out;
    }

    /** Arguments: the seeds folder written by the parent. */
    public static void main(String[] args) throws IOException {
        // The protocol owns standard output; libraries that print to it are sent to standard error instead.
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        FuzzChild child = new FuzzChild(Path.of(args[0]), protocol);
        protocol.println(PREFIX + "ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] parts = line.split(" ", 3);
            if (parts.length != 3 || !parts[0].equals("RUN")) {
                protocol.println(PREFIX + new Outcome(Outcome.ERROR, "protocol", "bad command: " + line).toLine());
                continue;
            }
            Outcome o = child.run(Target.of(parts[1]), Path.of(parts[2]));
            protocol.println(PREFIX + o.toLine());
        }
    }

    /** Runs one case in this JVM, turning every exception into an outcome. */
    Outcome run(Target target, Path file) {
        try {
            return switch (target) {
                case MODEL -> model(Files.readAllBytes(file));
                case MODEL_RAW -> raw(Files.readAllBytes(file));
                case STATE -> state(Files.readAllBytes(file));
                case LIMITS -> LimitsCase.run(Files.readAllBytes(file), Files.readAllBytes(seeds.resolve(Seeds.STATE_MODEL)));
                case CSV -> csv(file);
                case CORPUS -> corpus(file);
                case WORDS -> words(file);
                case SELFTEST -> selftest(Files.readAllBytes(file));
            };
        } catch (ModelValidationException e) {
            return new Outcome(Outcome.REFUSED_VALIDATOR, "validator", e.getMessage());
        } catch (StepwiseException | IllegalArgumentException | IllegalStateException
                 | UnsupportedOperationException e) {
            return new Outcome(Outcome.REFUSED, e.getClass().getSimpleName(), e.getMessage());
        } catch (Throwable e) {
            return new Outcome(Outcome.ERROR, kind(e), String.valueOf(e));
        }
    }

    /** The exception class and the first Stepwise frame that threw it. */
    static String kind(Throwable e) {
        String where = "";
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("io.stepwise.") && !f.getClassName().startsWith("io.stepwise.fuzz.")) {
                where = " at " + f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "."
                        + f.getMethodName();
                break;
            }
        }
        return e.getClass().getSimpleName() + where;
    }

    private Outcome model(byte[] bytes) {
        try (RecurrentModel model = RecurrentModel.fromBytes(bytes); StepSession s = model.newSession()) {
            return finite(stepAndFeed(model, s), s);
        }
    }

    private static float[] stepAndFeed(RecurrentModel model, StepSession s) {
        float[] out;
        if (model.info().isTokenInput()) {
            out = s.step(0);
            s.feed(new int[] {0, 0, 0});
        } else {
            out = s.step(new float[model.info().inputSize()]);
            s.feed(new float[][] {new float[model.info().inputSize()], new float[model.info().inputSize()]});
        }
        return out;
    }

    private static Outcome finite(float[] out, StepSession s) {
        for (float v : out) {
            if (!Float.isFinite(v)) {
                return new Outcome(Outcome.NON_FINITE, "output", "a step returned " + v);
            }
        }
        for (float v : s.snapshot().hidden()) {
            if (!Float.isFinite(v)) {
                return new Outcome(Outcome.NON_FINITE, "state", "the state holds " + v);
            }
        }
        return new Outcome(Outcome.OK, "", "");
    }

    /** ONNX Runtime with nothing in front: create a session and run it once on zeros (dynamic axes = 1). */
    private static Outcome raw(byte[] bytes) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(bytes, so)) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                try {
                    for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                        if (!(e.getValue().getInfo() instanceof TensorInfo t)) {
                            return new Outcome(Outcome.REFUSED, "raw-input", "input " + e.getKey() + " is not a tensor");
                        }
                        long[] shape = t.getShape().clone();
                        long n = 1;
                        for (int i = 0; i < shape.length; i++) {
                            shape[i] = shape[i] < 1 ? 1 : shape[i];
                            n *= shape[i];
                        }
                        if (n > 1_000_000) {
                            return new Outcome(Outcome.REFUSED, "raw-input", "input " + e.getKey() + " is too large");
                        }
                        feeds.put(e.getKey(), zeros(env, t.type, shape, (int) n));
                    }
                    try (OrtSession.Result r = session.run(feeds)) {
                        for (Map.Entry<String, OnnxValue> v : r) {
                            if (v.getValue() instanceof OnnxTensor t && t.getInfo().type == OnnxJavaType.FLOAT) {
                                java.nio.FloatBuffer fb = t.getFloatBuffer();
                                while (fb.hasRemaining()) {
                                    if (!Float.isFinite(fb.get())) {
                                        return new Outcome(Outcome.NON_FINITE, "output", v.getKey());
                                    }
                                }
                            }
                        }
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        } catch (OrtException e) {
            return new Outcome(Outcome.REFUSED, "OrtException", e.getMessage());
        }
        return new Outcome(Outcome.OK, "", "");
    }

    private static OnnxTensor zeros(OrtEnvironment env, OnnxJavaType type, long[] shape, int n) throws OrtException {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, n * 8)).order(ByteOrder.nativeOrder());
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, b.asFloatBuffer().limit(n), shape);
            case INT64 -> OnnxTensor.createTensor(env, b.asLongBuffer().limit(n), shape);
            case INT32 -> OnnxTensor.createTensor(env, b.asIntBuffer().limit(n), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, b.asDoubleBuffer().limit(n), shape);
            default -> OnnxTensor.createTensor(env, b.limit(n), shape, type);
        };
    }

    private Outcome state(byte[] bytes) {
        if (stateModel == null) {
            stateModel = RecurrentModel.load(seeds.resolve(Seeds.STATE_MODEL));
        }
        SessionState state = SessionState.fromBytes(bytes);
        try (StepSession s = stateModel.newSession()) {
            s.restore(state);
            return finite(stepAndFeed(stateModel, s), s);
        }
    }

    private static Outcome csv(Path file) {
        TimeSeries series = SeriesCsv.read(file);
        return series.length() < 0 ? new Outcome(Outcome.ERROR, "csv", "negative length")
                : new Outcome(Outcome.OK, "", "");
    }

    private static Outcome corpus(Path file) {
        CharCorpus corpus = CharCorpus.builder().setFile(file).optMinLength(100).build();
        return corpus.vocabulary().size() < 1 ? new Outcome(Outcome.ERROR, "corpus", "empty vocabulary")
                : new Outcome(Outcome.OK, "", "");
    }

    private Outcome words(Path file) throws IOException {
        Path folder = file.resolveSibling(file.getFileName() + ".words");
        Files.createDirectories(folder);
        Files.copy(file, folder.resolve("english.txt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(seeds.resolve(Seeds.WORDS_OTHER), folder.resolve("german.txt"), StandardCopyOption.REPLACE_EXISTING);
        WordLanguageDataset data = WordLanguageDataset.builder().setFolder(folder).build();
        return data.labels().size() != 2 ? new Outcome(Outcome.ERROR, "words", "labels " + data.labels())
                : new Outcome(Outcome.OK, "", "");
    }

    private static Outcome selftest(byte[] bytes) throws InterruptedException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("crash")) {
            Runtime.getRuntime().halt(134);
        }
        if (text.startsWith("hang")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        if (text.startsWith("error")) {
            throw new java.nio.BufferUnderflowException();
        }
        return new Outcome(Outcome.OK, "", "");
    }
}
