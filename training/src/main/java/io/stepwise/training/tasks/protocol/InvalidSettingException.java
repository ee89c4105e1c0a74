package io.stepwise.training.tasks.protocol;

import java.util.Objects;
import java.util.function.Function;

/**
 * A setting has a value that cannot be used: out of range, inconsistent with another setting, or naming data that
 * does not exist or does not fit. The message names the setting, the value and what was expected.
 *
 * <p>The message is rendered with a naming of the settings ({@link #message(Function)}), so that each caller
 * reports them in its own terms: {@link #getMessage()} uses {@link Setting#id()}
 * ({@code hidden: expected ≥ 1 but got 0}); the command line uses its option names
 * ({@code --hidden: expected ≥ 1 but got 0}). The detail may name other settings through the same naming, e.g.
 * {@code horizon: expected at most testLength (10) but got 20}.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The text after {@code <setting>: }, given a naming of the settings. */
    @FunctionalInterface
    public interface Detail {
        String text(Function<Setting, String> names);
    }

    private final Setting setting;
    private final transient Detail detail;

    /** A message whose detail names other settings through {@code names}. */
    public InvalidSettingException(Setting setting, Detail detail) {
        super((String) null);
        this.setting = Objects.requireNonNull(setting, "setting");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** A message with a fixed detail, e.g. {@code expected ≥ 1 but got 0}. */
    public InvalidSettingException(Setting setting, String detail) {
        this(setting, names -> detail);
    }

    /** The setting whose value is wrong. */
    public Setting setting() {
        return setting;
    }

    /** The message with settings named by {@code names}: {@code <name of the setting>: <detail>}. */
    public String message(Function<Setting, String> names) {
        Objects.requireNonNull(names, "names");
        return names.apply(setting) + ": " + (detail == null ? "" : detail.text(names));
    }

    /** The message with settings named by {@link Setting#id()}. */
    @Override
    public String getMessage() {
        return message(Setting::id);
    }
}
