package io.stepwise.examples.service;

import io.stepwise.runtime.classify.Classification;
import io.stepwise.runtime.classify.SequenceClassifier;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.GenerationResult;
import io.stepwise.spring.ModelRegistry;
import io.stepwise.spring.ServedModel;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** {@code /v1/models}: listing, generation (JSON or Server-Sent Events), classification, one-shot forecasts. */
@RestController
@RequestMapping("/v1/models")
class ModelsController {
    private final ModelRegistry models;
    private final Generation generation;
    private final ServiceProperties properties;
    private final JsonMapper json;
    private final Map<String, SequenceClassifier> classifiers = new ConcurrentHashMap<>();
    private final Map<String, Forecaster> forecasters = new ConcurrentHashMap<>();

    ModelsController(ModelRegistry models, Generation generation, ServiceProperties properties, JsonMapper json) {
        this.models = models;
        this.generation = generation;
        this.properties = properties;
        this.json = json;
    }

    @GetMapping
    Map<String, Object> list() {
        List<Map<String, Object>> all = new ArrayList<>();
        for (ServedModel m : models.all()) {
            all.add(ModelViews.of(m));
        }
        return Map.of("models", all);
    }

    @GetMapping("/{model}")
    Map<String, Object> one(@PathVariable("model") String model) {
        return ModelViews.of(models.get(model));
    }

    /**
     * Generation. With {@code Accept: text/event-stream} the tokens are streamed as they are chosen, on this
     * request's thread, flushing each event: a client that goes away makes the next write fail, which cancels the
     * generation. Every input error is raised before the first byte is written, so it is an ordinary problem
     * detail.
     */
    @PostMapping("/{model}/generate")
    void generate(@PathVariable("model") String model, @RequestBody(required = false) Requests.Generate body,
                  HttpServletRequest request, HttpServletResponse response) throws IOException {
        Generation.Prepared p = generation.prepare(model, body);
        boolean stream = accepts(request, MediaType.TEXT_EVENT_STREAM);
        if (stream && p.config().strategy() == GenerationConfig.Strategy.BEAM_SEARCH) {
            throw ApiException.invalidField("strategy", "strategy: beam_search cannot stream (its tokens are final"
                    + " only when the search ends); ask for application/json");
        }
        // The generation slot was taken by RequestGuardFilter, which releases it when this request has ended.
        if (!stream) {
            GenerationResult r = generation.run(p, null);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            json.writeValue(response.getOutputStream(), Generation.view(p.model().name(), r));
            return;
        }
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // nginx: pass events on at once
        OutputStream out = response.getOutputStream();
        int[] index = {0};
        boolean[] gone = {false};
        GenerationResult r;
        try {
            r = generation.run(p, (id, text) -> {
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("index", index[0]++);
                event.put("id", id);
                event.put("text", text);
                try {
                    sendEvent(out, "token", event);
                    return true;
                } catch (IOException e) {
                    gone[0] = true;
                    return false;
                }
            });
        } catch (RuntimeException e) {
            sendEvent(out, "error", Problems.of(org.springframework.http.HttpStatus.INTERNAL_SERVER_ERROR,
                    "internal", "generation failed: " + e.getMessage(), request.getRequestURI()));
            return;
        }
        if (!gone[0]) {
            sendEvent(out, "done", Generation.view(p.model().name(), r));
        }
    }

    private void sendEvent(OutputStream out, String name, Object data) throws IOException {
        String payload = "event: " + name + "\ndata: " + json.writeValueAsString(data) + "\n\n";
        out.write(payload.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static boolean accepts(HttpServletRequest request, MediaType type) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept == null) {
            return false;
        }
        try {
            for (MediaType m : MediaType.parseMediaTypes(accept)) {
                if (m.getType().equals(type.getType()) && m.getSubtype().equals(type.getSubtype())) {
                    return true;
                }
            }
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            throw ApiException.invalidField("Accept", "Accept: not a media type list: " + accept);
        }
        return false;
    }

    @PostMapping("/{model}/classify")
    Map<String, Object> classify(@PathVariable("model") String model, @RequestBody Requests.Classify body) {
        ServedModel m = models.get(model);
        SequenceClassifier classifier = classifiers.computeIfAbsent(m.name(), n -> {
            try {
                return new SequenceClassifier(m.model());
            } catch (IllegalArgumentException e) {
                throw new UnsupportedOperationException("model " + n + ": cannot classify: " + e.getMessage());
            }
        });
        if ((body.text() == null) == (body.texts() == null)) {
            throw ApiException.invalidField("text", "text: expected exactly one of text or texts");
        }
        List<String> texts = body.text() != null ? List.of(body.text()) : body.texts();
        if (texts.isEmpty() || texts.size() > properties.getMaxClassifyTexts()) {
            throw ApiException.invalidField("texts", "texts: expected 1 … " + properties.getMaxClassifyTexts()
                    + " texts but got " + texts.size());
        }
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t != null && t.length() > properties.getMaxPromptChars()) {
                throw ApiException.invalidField("texts", "texts[" + i + "]: expected at most "
                        + properties.getMaxPromptChars() + " characters but got " + t.length());
            }
        }
        int labels = classifier.labels().size();
        int top = body.top() == null ? labels : body.top();
        if (top < 1 || top > labels) {
            throw ApiException.invalidField("top", "top: expected 1 … " + labels + " but got " + top);
        }
        List<Classification> results = m.run(() -> classifier.classifyAll(texts));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Classification c : results) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("text", c.text());
            v.put("label", c.label());
            v.put("confidence", c.confidence());
            List<Map<String, Object>> ranking = new ArrayList<>();
            for (Classification.LabelProbability lp : c.topK(top)) {
                ranking.add(Map.of("label", lp.label(), "probability", lp.probability()));
            }
            v.put("ranking", ranking);
            out.add(v);
        }
        return Map.of("model", m.name(), "results", out);
    }

    @PostMapping("/{model}/forecast")
    Map<String, Object> forecast(@PathVariable("model") String model, @RequestBody Requests.Forecast body) {
        ServedModel m = models.get(model);
        SeriesUnits units = SeriesUnits.of(m.name(), m.info());
        // A history shorter than the model's window is answered, with a warning that names the rows needed, rather
        // than refused: the playground and sessions that have just started forecast from what they have.
        Forecaster trained = forecasters.computeIfAbsent(m.name(), n -> new Forecaster(m.source()));
        int window = trained.minimumHistory();
        Forecaster forecaster = trained.withMinimumHistory(1);
        double[][] history = units.rows("history", body.history(), properties.getMaxStepsPerRequest());
        int horizon = horizon(body.horizon(), forecaster.defaultHorizon().orElse(-1), false);
        Forecast f = forecaster.forecast(history, horizon);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("model", m.name());
        if (history.length < window) {
            v.put("warning", "history: " + history.length + " step(s), but the model was trained to forecast after "
                    + window + " (its window); pass at least " + window + " for the accuracy its metrics state");
        }
        v.put("featureNames", f.featureNames());
        v.put("horizon", f.horizon());
        v.put("historyLength", f.historyLength());
        v.put("filledValues", f.filledValues());
        v.put("values", f.values());
        return v;
    }

    /** The horizon asked for, or the model's default; 0 allowed only where {@code zeroAllowed}. */
    int horizon(Integer asked, int modelDefault, boolean zeroAllowed) {
        int min = zeroAllowed ? 0 : 1;
        if (asked == null) {
            if (modelDefault < 1) {
                throw ApiException.invalidField("horizon", "horizon: the model stores no default horizon; pass"
                        + " one (" + min + " … " + properties.getMaxHorizon() + ")");
            }
            return Math.min(modelDefault, properties.getMaxHorizon());
        }
        if (asked < min || asked > properties.getMaxHorizon()) {
            throw ApiException.invalidField("horizon", "horizon: expected " + min + " … "
                    + properties.getMaxHorizon() + " but got " + asked);
        }
        return asked;
    }
}
