package io.stepwise.runtime.text;

import io.stepwise.runtime.Logits;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.text.GenerationResult.StopReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Beam search over a {@link Session}: every beam carries a snapshot of the recurrent state after its last token,
 * so extending a beam is restore → step → snapshot. Scores are summed log-probabilities after the repetition
 * penalty; finished and surviving hypotheses are compared by {@code score / length^lengthPenalty}.
 *
 * <p>Per step, each live beam proposes its 2·width best tokens; the best width candidates that do not end in a
 * stop string live on, and candidates ranked within the first width that do end in one are kept as finished. The
 * search ends at the token limit, when no beam is left, or when width hypotheses have finished and the best live
 * beam's normalised score cannot beat the worst of them. Ties are broken by beam order, then lower token id, so
 * the result is deterministic.
 */
final class BeamSearch {

    /** The chosen hypothesis. */
    record Outcome(int[] tokens, String text, StopReason reason, String stopString, double rawLogProbability) {
    }

    private static final class Beam {
        final int[] tokens;
        final String generated;
        final double score;
        final double rawLogProbability;
        final boolean[] seen;
        SessionState state;
        float[] logits;

        Beam(int[] tokens, String generated, double score, double rawLogProbability, boolean[] seen) {
            this.tokens = tokens;
            this.generated = generated;
            this.score = score;
            this.rawLogProbability = rawLogProbability;
            this.seen = seen;
        }
    }

    private record Candidate(int beam, int token, double score, double rawLogProbability) {
    }

    private record Finished(Outcome outcome, double normalizedScore) {
    }

    private BeamSearch() {
    }

    /**
     * @param session      positioned after the prompt
     * @param firstLogits  the model's output after the last prompt token
     * @param promptSeen   tokens in the prompt (for the repetition penalty)
     * @param promptText   the prompt, for stop strings that straddle it
     */
    static Outcome run(Session session, float[] firstLogits, boolean[] promptSeen, String promptText,
                       CharTokenizer tokenizer, GenerationConfig config) {
        int width = config.beamWidth();
        double penalty = config.repetitionPenalty();
        Beam start = new Beam(new int[0], "", 0, 0, promptSeen.clone());
        start.state = session.snapshot();
        start.logits = firstLogits;
        List<Beam> alive = List.of(start);
        List<Finished> finished = new ArrayList<>();
        List<Beam> unfinishedAtLimit = List.of();

        for (int length = 1; length <= config.maxNewTokens(); length++) {
            List<Candidate> candidates = new ArrayList<>();
            for (int b = 0; b < alive.size(); b++) {
                Beam beam = alive.get(b);
                float[] adjusted = Sampler.penalize(beam.logits, beam.seen, penalty);
                double[] logProbabilities = Logits.logSoftmax(adjusted);
                double[] raw = adjusted == beam.logits ? logProbabilities : Logits.logSoftmax(beam.logits);
                int[] order = Logits.rankDescending(logProbabilities);
                int proposals = Math.min(2 * width, order.length);
                for (int j = 0; j < proposals; j++) {
                    int token = order[j];
                    candidates.add(new Candidate(b, token, beam.score + logProbabilities[token],
                            beam.rawLogProbability + raw[token]));
                }
            }
            candidates.sort(Comparator.comparingDouble(Candidate::score).reversed()
                    .thenComparingInt(Candidate::beam).thenComparingInt(Candidate::token));

            List<Beam> next = new ArrayList<>(width);
            List<Beam> parents = new ArrayList<>(width);
            for (int rank = 0; rank < candidates.size() && next.size() < width; rank++) {
                Candidate c = candidates.get(rank);
                Beam parent = alive.get(c.beam());
                int[] tokens = Arrays.copyOf(parent.tokens, parent.tokens.length + 1);
                tokens[tokens.length - 1] = c.token();
                String generated = parent.generated + tokenizer.token(c.token());
                String stop = TextGenerator.matchStop(promptText, generated, config.stopStrings());
                if (stop != null) {
                    if (rank < width) {
                        String text = TextGenerator.trimStop(generated, stop);
                        addFinished(finished, width, new Finished(
                                new Outcome(tokens, text, StopReason.STOP_STRING, stop, c.rawLogProbability()),
                                normalize(c.score(), length, config.lengthPenalty())));
                    }
                    continue;
                }
                boolean[] seen = parent.seen.clone();
                seen[c.token()] = true;
                next.add(new Beam(tokens, generated, c.score(), c.rawLogProbability(), seen));
                parents.add(parent);
            }
            if (next.isEmpty()) {
                alive = List.of();
                break;
            }
            if (finished.size() >= width) {
                double worstFinished = finished.get(finished.size() - 1).normalizedScore();
                double bestAlive = normalize(next.get(0).score, length, config.lengthPenalty());
                if (bestAlive <= worstFinished) {
                    alive = List.of();
                    break;
                }
            }
            if (length == config.maxNewTokens()) {
                // The last tokens need no model step: nothing will be read after them.
                unfinishedAtLimit = next;
                break;
            }
            for (int i = 0; i < next.size(); i++) {
                Beam child = next.get(i);
                session.restore(parents.get(i).state);
                child.logits = session.step(child.tokens[child.tokens.length - 1]);
                child.state = session.snapshot();
            }
            alive = next;
        }

        Finished best = null;
        for (Finished f : finished) {
            if (best == null || f.normalizedScore() > best.normalizedScore()) {
                best = f;
            }
        }
        for (Beam beam : unfinishedAtLimit) {
            double normalized = normalize(beam.score, beam.tokens.length, config.lengthPenalty());
            if (best == null || normalized > best.normalizedScore()) {
                best = new Finished(new Outcome(beam.tokens, beam.generated, StopReason.MAX_TOKENS, null,
                        beam.rawLogProbability), normalized);
            }
        }
        if (best == null) {
            throw new IllegalStateException("beam search ended without a hypothesis");
        }
        return best.outcome();
    }

    private static double normalize(double score, int length, double lengthPenalty) {
        return score / Math.pow(length, lengthPenalty);
    }

    /** Keeps the best {@code width} finished hypotheses, best first (earlier ones win ties). */
    private static void addFinished(List<Finished> finished, int width, Finished f) {
        int at = 0;
        while (at < finished.size() && finished.get(at).normalizedScore() >= f.normalizedScore()) {
            at++;
        }
        if (at < width) {
            finished.add(at, f);
            if (finished.size() > width) {
                finished.remove(finished.size() - 1);
            }
        }
    }
}
