package io.stepwise.examples.service;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Host;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Requests Tomcat refuses itself, before any filter or controller runs — a URI with an encoded NUL or slash, a
 * malformed request line — are answered with a problem detail like every other error, instead of Tomcat's HTML
 * error page. Only the host's error report is replaced: errors the application handles never reach it.
 */
@Component
class TomcatProblemReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            Host host = (Host) context.getParent();
            host.getPipeline().addValve(new ProblemValve());
            if (host instanceof StandardHost standard) {
                // Tomcat adds its own HTML report valve at start unless one of this class is there already.
                standard.setErrorReportValveClass(ProblemValve.class.getName());
            }
        });
    }

    /** Writes {@code application/problem+json} where Tomcat would write its HTML report. */
    static final class ProblemValve extends ErrorReportValve {
        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(false);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            String type = switch (status) {
                case 404 -> "not-found";
                case 405 -> "method-not-allowed";
                case 413 -> "payload-too-large";
                default -> status >= 500 ? "internal" : "malformed-request";
            };
            String message = response.getMessage();
            // The URI is not echoed (no instance): it is what could not be parsed.
            String detail = "the server refused the request before reading it"
                    + (message == null || message.isBlank() ? "" : ": " + message);
            try {
                response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
                response.setCharacterEncoding("UTF-8");
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(Problems.json(status, type, detail));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the connection is gone or the response committed meanwhile: nothing more to say
            }
        }
    }
}
