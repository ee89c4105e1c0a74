package io.stepwise.training.model;

import ai.djl.engine.Engine;

/**
 * The one place that prepares DJL before its engine is first touched.
 *
 * <p>DJL's PyTorch engine finds its native library inside the {@code pytorch-native-cpu} jar on the class path
 * and unpacks it once into {@code ~/.djl.ai/pytorch} (or {@code $DJL_CACHE_DIR}); no download is needed. Stepwise
 * must never reach the network, so {@code ai.djl.offline=true} is set unless the caller chose otherwise: should
 * the native jar be missing, DJL then fails at once with a clear message instead of trying to download
 * libtorch. No other property or environment variable (such as {@code PYTORCH_FLAVOR}) is required.
 */
public final class DjlRuntime {
    /** The system property DJL reads to forbid downloads. */
    public static final String OFFLINE_PROPERTY = "ai.djl.offline";

    private DjlRuntime() {
    }

    /** Sets {@code ai.djl.offline=true} unless already set; cheap and idempotent. */
    public static void configure() {
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
    }

    /**
     * Uses one PyTorch intra-op and one inter-op thread unless {@code ai.djl.pytorch.num_threads} and
     * {@code ai.djl.pytorch.num_interop_threads} are already set. Stepwise's networks are small (a few hundred
     * kilobytes of weights, batches of tens of sequences), so an operator is too short to share between threads;
     * with several threads, and with other processes on the same cores, OpenMP's spinning workers made a training
     * epoch about nine times slower in our measurements (69 s instead of 8 s). Takes effect only when called
     * before the engine is first used.
     */
    public static void configureThreads() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** Configures DJL (see {@link #configure()}) and returns the PyTorch engine. */
    public static Engine engine() {
        configure();
        return Engine.getInstance();
    }

    /**
     * Seeds the engine's random generator (parameter initialisation, dropout masks). Java-side randomness is the
     * caller's own {@link java.util.Random}.
     */
    public static void seed(long seed) {
        engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
    }
}
