package io.stepwise.examples.service;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.ModelInfoRenderer;
import io.stepwise.spring.ServedModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** A served model as the API describes it: what {@code stepwise inspect} shows, as JSON plus its text. */
final class ModelViews {
    private ModelViews() {
    }

    static Map<String, Object> of(ServedModel m) {
        ModelInfo i = m.info();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", m.name());
        v.put("task", i.task().toString());
        v.put("cell", i.cell().toString());
        v.put("layers", i.layers());
        v.put("hiddenSize", i.hiddenSize());
        v.put("bidirectional", i.bidirectional());
        v.put("steppable", m.isSteppable());
        v.put("inputKind", i.inputKind().toString());
        v.put("inputSize", i.inputSize());
        v.put("outputSize", i.outputSize());
        v.put("head", i.head().toString());
        v.put("vocabularySize", i.vocabulary().size());
        v.put("labels", i.labels());
        v.put("featureNames", i.featureNames());
        v.put("forecast", i.forecast());
        v.put("fingerprint", i.fingerprint());
        v.put("metrics", i.metrics());
        v.put("inspect", ModelInfoRenderer.render(i));
        return v;
    }
}
