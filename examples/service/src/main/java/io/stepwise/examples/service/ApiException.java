package io.stepwise.examples.service;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * An error the service answers with a problem detail: its status, its type (the slug after
 * {@code urn:stepwise:problem:}), the detail, and extra members ({@code field}, {@code position}, …).
 */
public class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final String type;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public ApiException(HttpStatus status, String type, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
    }

    /** 400 for a bad value of {@code field}; {@code detail} names the value and what was expected. */
    public static ApiException invalidField(String field, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid-field", detail).with("field", field);
    }

    public ApiException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public Map<String, Object> properties() {
        return properties;
    }
}
