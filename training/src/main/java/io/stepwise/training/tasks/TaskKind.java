package io.stepwise.training.tasks;

import io.stepwise.conversion.Task;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import java.util.Arrays;
import java.util.Locale;

/** The Stepwise tasks, with their names and the task ids of the models they make. */
public enum TaskKind {
    /** Next-character prediction on a text (bits per character vs a Kneser–Ney n-gram baseline). */
    LANGUAGE_MODEL("language-model", Task.LANGUAGE_MODEL, "charlm"),
    /** Next-step prediction of a series, evaluated by multi-step forecasts (MASE vs seasonal naive). */
    FORECAST("forecast", Task.FORECASTER, "forecast"),
    /** Word → language (accuracy vs naive Bayes). */
    CLASSIFY("classify", Task.CLASSIFIER, "langid"),
    /**
     * Next-event prediction over sequences of named events (bits per event vs a Kneser–Ney n-gram baseline); its
     * models are language models whose {@code stepwise.token_unit} is {@code event}.
     */
    EVENT_MODEL("event-model", Task.LANGUAGE_MODEL, "events");

    private final String cliName;
    private final Task modelTask;
    private final String modelPrefix;

    TaskKind(String cliName, Task modelTask, String modelPrefix) {
        this.cliName = cliName;
        this.modelTask = modelTask;
        this.modelPrefix = modelPrefix;
    }

    /** The task's name, e.g. {@code language-model} (what the command line's task option takes). */
    public String cliName() {
        return cliName;
    }

    /** The {@code stepwise.task} of the models this task makes. */
    public Task modelTask() {
        return modelTask;
    }

    /** Default file-name prefix of the models, e.g. {@code charlm}. */
    public String modelPrefix() {
        return modelPrefix;
    }

    /**
     * The task that made a model with {@code stepwise.task = id} and {@code stepwise.token_unit = tokenUnit} (null
     * or {@code character} for a character model).
     */
    public static TaskKind ofModel(String id, String tokenUnit) {
        TaskKind kind = ofModelTask(id);
        return kind == LANGUAGE_MODEL && "event".equals(tokenUnit) ? EVENT_MODEL : kind;
    }

    /** The task that made a model with {@code stepwise.task = id} (a language model: the character task). */
    public static TaskKind ofModelTask(String id) {
        for (TaskKind k : values()) {
            if (k.modelTask.id().equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("task: the model's stepwise.task is '" + id + "'; expected one of "
                + Arrays.toString(Arrays.stream(values()).map(k -> k.modelTask.id()).toArray()));
    }

    /**
     * Parses {@code language-model}, {@code forecast} or {@code classify} (also the model-file ids).
     *
     * @throws InvalidSettingException naming {@link Setting#TASK} for any other name
     */
    public static TaskKind fromName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (TaskKind k : values()) {
            if (k.cliName.equals(n) || k.modelTask.id().replace('_', '-').equals(n)) {
                return k;
            }
        }
        throw new InvalidSettingException(Setting.TASK, "expected one of language-model, forecast, classify, "
                + "event-model but got '" + name + "'");
    }
}
