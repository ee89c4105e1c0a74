package io.stepwise.examples.service;

import io.stepwise.spring.store.StoredSession;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/sessions}: create or import, read, step, push observations, forecast, export, delete. Every answer
 * carries {@code ETag: "<position>"}; updates honour {@code If-Match} (docs/service-api.md, the position rule).
 */
@RestController
@RequestMapping("/v1/sessions")
class SessionsController {
    private final Sessions sessions;
    private final ModelsController models;

    SessionsController(Sessions sessions, ModelsController models) {
        this.sessions = sessions;
        this.models = models;
    }

    @PostMapping
    ResponseEntity<Map<String, Object>> create(@RequestBody(required = false) Requests.CreateSession body,
                                               HttpServletRequest request) {
        StoredSession s = sessions.create(owner(request), body);
        return ResponseEntity.created(URI.create("/v1/sessions/" + s.id())).eTag(etag(s)).body(view(s));
    }

    @GetMapping("/{id}")
    ResponseEntity<Map<String, Object>> get(@PathVariable("id") String id, HttpServletRequest request) {
        StoredSession s = sessions.get(owner(request), id);
        return ResponseEntity.ok().eTag(etag(s)).body(view(s));
    }

    @PostMapping("/{id}/step")
    ResponseEntity<Map<String, Object>> step(@PathVariable("id") String id, @RequestBody Requests.Step body,
                                             @RequestHeader(name = HttpHeaders.IF_MATCH, required = false)
                                             String ifMatch, HttpServletRequest request) {
        Sessions.Stepped r = sessions.step(owner(request), id, position(ifMatch), body);
        Map<String, Object> v = view(r.session());
        v.remove("expiresAt");
        v.put("outputs", r.outputs());
        return ResponseEntity.ok().eTag(etag(r.session())).body(v);
    }

    @PostMapping("/{id}/observations")
    ResponseEntity<Map<String, Object>> observe(@PathVariable("id") String id, @RequestBody Requests.Observations body,
                                                @RequestHeader(name = HttpHeaders.IF_MATCH, required = false)
                                                String ifMatch, HttpServletRequest request) {
        String owner = owner(request);
        StoredSession current = sessions.get(owner, id);
        sessions.units(current.model());
        int horizon = models.horizon(body.horizon(), sessions.defaultHorizon(current.model()), true);
        Sessions.Observed r = sessions.observe(owner, id, position(ifMatch), body, horizon);
        Map<String, Object> v = view(r.session());
        v.remove("expiresAt");
        v.put("forecast", r.forecast() == null ? null : forecastView(r));
        return ResponseEntity.ok().eTag(etag(r.session())).body(v);
    }

    @GetMapping("/{id}/forecast")
    ResponseEntity<Map<String, Object>> forecast(@PathVariable("id") String id,
                                                 @RequestParam(name = "horizon", required = false) Integer horizon,
                                                 HttpServletRequest request) {
        String owner = owner(request);
        StoredSession current = sessions.get(owner, id);
        sessions.units(current.model());
        int h = models.horizon(horizon, sessions.defaultHorizon(current.model()), false);
        Sessions.Observed r = sessions.forecast(owner, id, h);
        Map<String, Object> v = view(r.session());
        v.remove("expiresAt");
        v.put("forecast", forecastView(r));
        return ResponseEntity.ok().eTag(etag(r.session())).body(v);
    }

    @GetMapping("/{id}/state")
    ResponseEntity<Map<String, Object>> export(@PathVariable("id") String id, HttpServletRequest request) {
        StoredSession s = sessions.get(owner(request), id);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", s.id());
        v.put("model", s.model());
        v.put("fingerprint", io.stepwise.runtime.SessionState.fromBytes(s.state()).fingerprint());
        v.put("position", s.position());
        v.put("state", Base64.getEncoder().encodeToString(s.state()));
        v.put("lastOutput", s.lastOutput());
        return ResponseEntity.ok().eTag(etag(s)).body(v);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable("id") String id,
                                @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                HttpServletRequest request) {
        sessions.delete(owner(request), id, position(ifMatch));
        return ResponseEntity.noContent().build();
    }

    private static Map<String, Object> forecastView(Sessions.Observed r) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("featureNames", r.units().featureNames());
        f.put("horizon", r.forecast().length);
        f.put("values", r.forecast());
        return f;
    }

    static Map<String, Object> view(StoredSession s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", s.id());
        v.put("model", s.model());
        v.put("position", s.position());
        v.put("expiresAt", s.expiresAt().toString());
        return v;
    }

    private static String etag(StoredSession s) {
        return "\"" + s.position() + "\"";
    }

    private static String owner(HttpServletRequest request) {
        Object o = request.getAttribute(RequestGuardFilter.OWNER);
        return o == null ? "" : o.toString();
    }

    /** {@code "12"} (or {@code W/"12"}, or 12) → 12; absent → empty. */
    static OptionalLong position(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return OptionalLong.empty();
        }
        String v = ifMatch.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long p = Long.parseLong(v);
            if (p < 0) {
                throw new NumberFormatException();
            }
            return OptionalLong.of(p);
        } catch (NumberFormatException e) {
            throw ApiException.invalidField("If-Match", "If-Match: expected the session's position as an ETag,"
                    + " e.g. \"12\", but got " + ifMatch);
        }
    }
}
