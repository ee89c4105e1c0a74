package io.stepwise.runtime;

/**
 * Where a model runs: the CPU, or one CUDA GPU.
 *
 * <p>CUDA needs ONNX Runtime's {@code onnxruntime_gpu} artifact (build with the Maven profile {@code -Pgpu}) and
 * CUDA 12 with cuDNN 9 on the host; {@link RecurrentModel#load} explains what is missing when it is not there.
 *
 * @param type     {@code "cpu"} or {@code "cuda"}
 * @param deviceId the GPU's index for CUDA, 0 for the CPU
 */
public record Device(String type, int deviceId) {
    /** The CPU (the default). */
    public static final Device CPU = new Device("cpu", 0);

    /**
     * Checks the combination.
     *
     * @throws IllegalArgumentException for a type other than {@code cpu}/{@code cuda}, a negative index, or a
     *                                  non-zero index for the CPU
     */
    public Device {
        if (!"cpu".equals(type) && !"cuda".equals(type)) {
            throw new IllegalArgumentException("type: expected 'cpu' or 'cuda' but got '" + type + "'");
        }
        if (deviceId < 0 || ("cpu".equals(type) && deviceId != 0)) {
            throw new IllegalArgumentException("deviceId: expected 0 for the CPU or a GPU index ≥ 0 but got "
                    + deviceId);
        }
    }

    /** The CUDA GPU with index {@code deviceId} (0 is the first). */
    public static Device cuda(int deviceId) {
        return new Device("cuda", deviceId);
    }

    /** Whether this is a CUDA GPU. */
    public boolean isCuda() {
        return "cuda".equals(type);
    }

    @Override
    public String toString() {
        return isCuda() ? "cuda:" + deviceId : "cpu";
    }
}
