package io.stepwise.training.export;

/**
 * The outcome of an export's parity check: the DJL network and the exported ONNX model were run on the same
 * random inputs and initial states and their outputs and final states compared.
 *
 * @param maxAbsDiff largest absolute difference over every output, {@code hn} and {@code cn} value of every case
 * @param tolerance  the largest difference accepted
 * @param cases      number of (batch size, sequence length) cases run
 */
public record ParityReport(double maxAbsDiff, double tolerance, int cases) {
    /** Whether the largest difference is within the tolerance. */
    public boolean passed() {
        return maxAbsDiff <= tolerance;
    }
}
