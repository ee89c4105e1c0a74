package io.stepwise.examples.service;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/** Builds RFC 9457 problem details with the service's type URNs, and writes them where no controller runs. */
final class Problems {
    static final String TYPE_PREFIX = "urn:stepwise:problem:";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    static ProblemDetail of(HttpStatusCode status, String type, String detail, String instance) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create(TYPE_PREFIX + type));
        p.setTitle(title(type));
        if (instance != null) {
            p.setInstance(URI.create(instance));
        }
        return p;
    }

    /** For filters: writes the problem as the whole response. */
    static void write(HttpServletResponse response, HttpStatusCode status, String type, String detail,
                      String instance, Map<String, Object> properties) throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        JSON.writeValue(response.getOutputStream(), members(status.value(), type, detail, instance, properties));
    }

    /**
     * The problem's members as written where no controller runs (filters, Tomcat's own refusals); {@code instance}
     * may be null.
     */
    static Map<String, Object> members(int status, String type, String detail, String instance,
                                       Map<String, Object> properties) {
        // Spring's ProblemDetail needs its Jackson mix-in to put properties at the top level; write the members.
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", TYPE_PREFIX + type);
        p.put("title", title(type));
        p.put("status", status);
        p.put("detail", detail);
        if (instance != null) {
            p.put("instance", instance);
        }
        p.putAll(properties);
        return p;
    }

    /** {@link #members} as JSON text. */
    static String json(int status, String type, String detail) {
        return JSON.writeValueAsString(members(status, type, detail, null, Map.of()));
    }

    static String title(String type) {
        return switch (type) {
            case "invalid-field" -> "Invalid request field";
            case "malformed-json" -> "Malformed JSON body";
            case "malformed-request" -> "Malformed request";
            case "unsupported-operation" -> "Not supported by this model";
            case "unauthorized" -> "Missing or unknown API key";
            case "unknown-model" -> "Unknown model";
            case "unknown-session" -> "Unknown session";
            case "not-found" -> "Not found";
            case "method-not-allowed" -> "Method not allowed";
            case "not-acceptable" -> "Not acceptable";
            case "unsupported-media-type" -> "Unsupported media type";
            case "stale-position" -> "Stale session position";
            case "payload-too-large" -> "Payload too large";
            case "rate-limited" -> "Too many requests";
            case "overloaded" -> "Overloaded";
            case "shutting-down" -> "Shutting down";
            case "store-unavailable" -> "Session store unavailable";
            default -> "Internal error";
        };
    }
}
