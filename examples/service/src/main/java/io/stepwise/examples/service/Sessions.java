package io.stepwise.examples.service;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.text.CharTokenizer;
import io.stepwise.spring.ModelRegistry;
import io.stepwise.spring.ServedModel;
import io.stepwise.spring.store.SessionNotFoundException;
import io.stepwise.spring.store.SessionStore;
import io.stepwise.spring.store.StaleSessionException;
import io.stepwise.spring.store.StoredSession;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.OptionalLong;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Sessions over the state store. Each request loads the stored state, restores it into a session of the served
 * model, runs, and writes the new state back conditional on the position it loaded — so any replica can serve any
 * request, and of two concurrent updates of one session only one is written (the other gets 409). A caller's
 * {@code If-Match} position is checked first, before any work.
 */
@Component
class Sessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ModelRegistry models;
    private final SessionStore store;
    private final ServiceProperties properties;

    Sessions(ModelRegistry models, SessionStore store, ServiceProperties properties) {
        this.models = models;
        this.store = store;
        this.properties = properties;
    }

    /** The result of an update: the stored session and the model's outputs for the inputs. */
    record Stepped(StoredSession session, float[][] outputs) {
    }

    StoredSession create(String owner, Requests.CreateSession r) {
        if (r == null || r.model() == null) {
            throw ApiException.invalidField("model", "model: the name of a served model is required");
        }
        ServedModel m = models.get(r.model());
        if (!m.isSteppable()) {
            throw new UnsupportedOperationException("model " + m.name() + ": bidirectional, so it reads whole"
                    + " sequences and cannot be stepped in a session; use /v1/models/" + m.name() + "/classify");
        }
        byte[] state;
        long position;
        float[] last = r.lastOutput() == null ? new float[0] : r.lastOutput();
        try (Session s = m.openSession()) {
            if (r.state() != null) {
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(r.state());
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalidField("state", "state: not base64: " + e.getMessage());
                }
                SessionState imported;
                try {
                    imported = SessionState.fromBytes(bytes);
                    s.restore(imported);
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalidField("state", "state: " + e.getMessage());
                }
                if (last.length != 0 && last.length != m.info().outputSize()) {
                    throw ApiException.invalidField("lastOutput", "lastOutput: expected " + m.info().outputSize()
                            + " values (the model's output size) or none but got " + last.length);
                }
                checkFinite("lastOutput", last);
                position = imported.position();
            } else {
                if (r.lastOutput() != null) {
                    throw ApiException.invalidField("lastOutput", "lastOutput: only with an imported state");
                }
                position = 0;
            }
            state = s.snapshot().toBytes();
        }
        StoredSession stored = new StoredSession(newId(), m.name(), owner, position, state, last,
                Instant.now().plus(store.ttl()));
        try {
            store.create(stored);
        } catch (IllegalStateException e) {
            m.recordRejected("store-full");
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", e.getMessage());
        }
        return store.find(stored.id()).orElse(stored);
    }

    /** The caller's session; 404 when it does not exist, has expired or belongs to another key. */
    StoredSession get(String owner, String id) {
        StoredSession s = store.find(id).orElseThrow(() -> new SessionNotFoundException(id));
        if (!s.owner().equals(owner)) {
            throw new SessionNotFoundException(id);
        }
        return s;
    }

    Stepped step(String owner, String id, OptionalLong ifMatch, Requests.Step r) {
        StoredSession stored = checked(owner, id, ifMatch);
        ServedModel m = models.get(stored.model());
        ModelInfo info = m.info();
        int given = (r.tokens() != null ? 1 : 0) + (r.text() != null ? 1 : 0) + (r.features() != null ? 1 : 0);
        if (given != 1) {
            throw ApiException.invalidField("tokens", "tokens: expected exactly one of tokens, text or features but"
                    + " got " + given);
        }
        int steps = r.tokens() != null ? r.tokens().length : r.features() != null ? r.features().length
                : r.text().codePointCount(0, r.text().length());
        String field = r.tokens() != null ? "tokens" : r.text() != null ? "text" : "features";
        if (steps < 1 || steps > properties.getMaxStepsPerRequest()) {
            throw ApiException.invalidField(field, field + ": expected 1 … " + properties.getMaxStepsPerRequest()
                    + " steps (stepwise.service.max-steps-per-request) but got " + steps);
        }
        if ((r.features() != null) == info.isTokenInput()) {
            throw new UnsupportedOperationException("model " + m.name() + " reads " + info.inputKind()
                    + ", so send " + (info.isTokenInput() ? "tokens or text" : "features") + ", not " + field);
        }
        try (Session s = restored(m, stored)) {
            float[][] outputs;
            if (r.features() != null) {
                for (int t = 0; t < r.features().length; t++) {
                    if (r.features()[t] == null || r.features()[t].length != info.inputSize()) {
                        throw ApiException.invalidField("features", "features[" + t + "]: expected "
                                + info.inputSize() + " values but got "
                                + (r.features()[t] == null ? "null" : r.features()[t].length));
                    }
                }
                outputs = s.feed(r.features());
            } else {
                int[] tokens = r.tokens() != null ? r.tokens() : CharTokenizer.forModel(info).encode(r.text());
                outputs = s.feed(tokens);
            }
            float[] last = outputs.length > 0 ? outputs[outputs.length - 1] : stored.lastOutput();
            return new Stepped(save(stored, s, last), outputs);
        }
    }

    /** Pushes observations in series units; returns the stored session and the forecast after them (or null). */
    record Observed(StoredSession session, double[][] forecast, SeriesUnits units) {
    }

    Observed observe(String owner, String id, OptionalLong ifMatch, Requests.Observations r, int horizon) {
        StoredSession stored = checked(owner, id, ifMatch);
        ServedModel m = models.get(stored.model());
        SeriesUnits units = SeriesUnits.of(m.name(), m.info());
        double[][] rows = units.rows("observations", r.observations(), properties.getMaxStepsPerRequest());
        try (Session s = restored(m, stored)) {
            float[] last = stored.lastOutput();
            for (int t = 0; t < rows.length; t++) {
                double[] row = rows[t];
                double[] predicted = last.length == 0 ? null : units.unscale(last);
                for (int f = 0; f < row.length; f++) {
                    if (Double.isNaN(row[f])) {
                        if (predicted == null) {
                            throw ApiException.invalidField("observations", "observations[" + t + "][" + f
                                    + "]: missing (null), but the session has no prediction to fill it with yet;"
                                    + " its first observation must be complete");
                        }
                        row[f] = predicted[f];
                    }
                }
                last = s.step(units.scale(row));
            }
            StoredSession saved = save(stored, s, last);
            double[][] forecast = horizon == 0 ? null : lookAhead(s, units, last, horizon);
            return new Observed(saved, forecast, units);
        }
    }

    /** The forecast from the stored state; the session is not changed. */
    Observed forecast(String owner, String id, int horizon) {
        StoredSession stored = get(owner, id);
        ServedModel m = models.get(stored.model());
        SeriesUnits units = SeriesUnits.of(m.name(), m.info());
        if (stored.lastOutput().length == 0) {
            throw ApiException.invalidField("horizon", "session " + id + ": no observation yet, so there is"
                    + " nothing to forecast from; push observations first");
        }
        try (Session s = restored(m, stored)) {
            return new Observed(stored, lookAhead(s, units, stored.lastOutput(), horizon), units);
        }
    }

    void delete(String owner, String id, OptionalLong ifMatch) {
        StoredSession s = get(owner, id);
        if (!store.delete(s.id(), ifMatch)) {
            throw new SessionNotFoundException(id);
        }
    }

    /** The model's series units; 400 (unsupported operation) when it is not a forecaster. */
    SeriesUnits units(String model) {
        ServedModel m = models.get(model);
        return SeriesUnits.of(m.name(), m.info());
    }

    int defaultHorizon(String model) {
        Object h = models.get(model).info().forecast().get("horizon");
        return h instanceof Number n ? n.intValue() : -1;
    }

    /** Like {@code ForecastStream.forecast}: the last output, then each prediction fed back. */
    private static double[][] lookAhead(Session s, SeriesUnits units, float[] last, int horizon) {
        double[][] values = new double[horizon][];
        float[] next = last;
        values[0] = units.unscale(next);
        for (int h = 1; h < horizon; h++) {
            next = s.step(next);
            values[h] = units.unscale(next);
        }
        return values;
    }

    private StoredSession checked(String owner, String id, OptionalLong ifMatch) {
        StoredSession stored = get(owner, id);
        if (ifMatch.isPresent() && ifMatch.getAsLong() != stored.position()) {
            throw new StaleSessionException(id, ifMatch.getAsLong(), stored.position());
        }
        return stored;
    }

    private static Session restored(ServedModel m, StoredSession stored) {
        Session s = m.openSession();
        try {
            s.restore(SessionState.fromBytes(stored.state()));
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw new IllegalStateException("session " + stored.id() + ": its stored state does not fit model "
                    + m.name() + " (was the model replaced?): " + e.getMessage(), e);
        }
    }

    private StoredSession save(StoredSession stored, Session s, float[] last) {
        StoredSession next = stored.advance(s.position(), s.snapshot().toBytes(), last,
                Instant.now().plus(store.ttl()));
        store.update(next, stored.position());
        return next;
    }

    private static void checkFinite(String field, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw ApiException.invalidField(field, field + "[" + i + "]: expected a finite number but got "
                        + values[i]);
            }
        }
    }

    private static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
