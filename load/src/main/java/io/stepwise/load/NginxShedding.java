package io.stepwise.load;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The nginx front that sheds overload itself: an upstream of replicas and a server whose limits refuse excess
 * load in nginx (C, one event loop, no JVM) before a replica spends CPU on it — at most {@code maxRequests}
 * requests at once per replica that are not generations, at most {@code maxGenerations} generations at once per
 * replica, and (optionally) {@code rate} requests per second per client address. A refusal is a problem detail
 * (application/problem+json, as the replica's own) with Retry-After; every refusal is logged with nginx's own
 * request time and, when the replica refused it, the replica's address, so the report can tell where a refusal
 * was made and how long the server side took, apart from what the load client measured.
 *
 * <p>The replicas keep their own guard (RequestGuardFilter) as the second line: for clients that reach them
 * directly, and because round robin does not split nginx's totals evenly. nginx's limits are therefore the
 * replicas' own, summed: a request admitted here is one the replicas would admit too, unless round robin put it on
 * a replica that is already full.
 *
 * <p>Written inside an {@code http {}} block; the zone, map and log names start with {@code name}, so that
 * several can share one nginx.
 */
@Command(name = "nginx-shed", description = "Print an nginx upstream + server that sheds overload in front of"
        + " replicas (scripts/load-test.sh includes it in its nginx.conf).")
final class NginxShedding implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "Prefix of the upstream, zones and log format")
    String name;
    @Option(names = "--listen", required = true, description = "host:port nginx listens on")
    String listen;
    @Option(names = "--replica", required = true, description = "host:port of a replica (repeat)")
    List<String> replicas;
    @Option(names = "--max-requests", required = true,
            description = "Per replica: requests at once other than generations")
    int maxRequests;
    @Option(names = "--max-generations", required = true, description = "Per replica: generations at once")
    int maxGenerations;
    @Option(names = "--rate", defaultValue = "0",
            description = "Per replica: requests per second per client address (0 = no limit)")
    double rate;
    @Option(names = "--retry-after", defaultValue = "1", description = "Seconds, the Retry-After of a refusal")
    int retryAfter;
    @Option(names = "--refusal-log", required = true, description = "Where refusals are logged")
    Path refusalLog;

    @Override
    public Integer call() {
        System.out.print(config(name, listen, replicas, maxRequests, maxGenerations, rate, retryAfter, refusalLog));
        return 0;
    }

    /** The upstream, zones, refusal log and server; every argument checked first. */
    static String config(String name, String listen, List<String> replicas, int maxRequests, int maxGenerations,
                         double rate, int retryAfter, Path refusalLog) {
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("name: expected [a-z][a-z0-9_]* but got '" + name + "'");
        }
        if (listen == null || !listen.matches("[0-9.]+:[0-9]{1,5}")) {
            throw new IllegalArgumentException("listen: expected host:port (an IPv4 address) but got '" + listen + "'");
        }
        if (replicas == null || replicas.isEmpty()) {
            throw new IllegalArgumentException("replicas: expected at least one host:port but got none");
        }
        for (String r : replicas) {
            if (!r.matches("[0-9.]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("replica: expected host:port (an IPv4 address) but got '" + r + "'");
            }
        }
        if (maxRequests < 1) {
            throw new IllegalArgumentException("max-requests: expected ≥ 1 but got " + maxRequests);
        }
        if (maxGenerations < 1) {
            throw new IllegalArgumentException("max-generations: expected ≥ 1 but got " + maxGenerations);
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate: expected ≥ 0 (0 = no limit) but got " + rate);
        }
        if (retryAfter < 1) {
            throw new IllegalArgumentException("retry-after: expected ≥ 1 second but got " + retryAfter);
        }
        if (refusalLog == null || refusalLog.toString().matches(".*[\\s;'\"{}].*")) {
            throw new IllegalArgumentException("refusal-log: expected a path without spaces, quotes, ; or braces"
                    + " but got '" + refusalLog + "'");
        }
        int n = replicas.size();
        int requests = n * maxRequests;
        int generations = n * maxGenerations;
        long perSecond = Math.round(Math.ceil(n * rate));
        StringBuilder b = new StringBuilder();
        b.append("  # ").append(name).append(": nginx sheds overload itself (io.stepwise.load.NginxShedding): ")
                .append(requests).append(" requests and ").append(generations).append(" generations at once")
                .append(perSecond > 0 ? ", " + perSecond + " requests/s per client address" : "")
                .append(" for ").append(n).append(" replica(s).\n");
        b.append("  upstream ").append(name).append(" {\n");
        for (String r : replicas) {
            b.append("    server ").append(r).append(" max_fails=1 fail_timeout=2s;\n");
        }
        b.append("    keepalive 128;\n  }\n");
        // Keyed by the listening port: one count per front, whoever the clients are.
        b.append("  limit_conn_zone $server_port zone=").append(name).append("_requests:1m;\n");
        b.append("  limit_conn_zone $server_port zone=").append(name).append("_generations:1m;\n");
        if (perSecond > 0) {
            b.append("  limit_req_zone $binary_remote_addr zone=").append(name).append("_rate:10m rate=")
                    .append(perSecond).append("r/s;\n");
        }
        b.append("  map $status $").append(name).append("_refused { 429 1; 503 1; default 0; }\n");
        // $upstream_addr is "-" when nginx refused the request itself; $request_time is nginx's own, in ms.
        b.append("  log_format ").append(name)
                .append("_refusals '$msec $status $request_time $upstream_addr $request_method $uri';\n");
        b.append("  server {\n");
        b.append("    listen ").append(listen).append(";\n");
        b.append("    access_log ").append(refusalLog).append(' ').append(name).append("_refusals buffer=64k flush=1s if=$")
                .append(name).append("_refused;\n");
        b.append("    limit_conn_status 503;\n    limit_req_status 429;\n");
        b.append("    limit_conn_log_level info;\n    limit_req_log_level info;\n");
        String rateLimit = perSecond > 0
                ? "      limit_req zone=" + name + "_rate burst=" + 2 * perSecond + " nodelay;\n" : "";
        // Health and metrics: never shed. /lb-probe: answered by nginx itself, the floor of any answer's latency.
        b.append("    location = /lb-probe { return 204; }\n");
        b.append("    location / { proxy_pass http://").append(name).append("; }\n");
        b.append("    location /v1/ {\n").append(rateLimit)
                .append("      limit_conn ").append(name).append("_requests ").append(requests).append(";\n")
                .append("      error_page 503 = @").append(name).append("_overloaded;\n")
                .append("      error_page 429 = @").append(name).append("_rate_limited;\n")
                .append("      proxy_pass http://").append(name).append(";\n    }\n");
        b.append("    location ~ ^/v1/models/[^/]+/generate$ {\n").append(rateLimit)
                .append("      limit_conn ").append(name).append("_generations ").append(generations).append(";\n")
                .append("      error_page 503 = @").append(name).append("_generations_busy;\n")
                .append("      error_page 429 = @").append(name).append("_rate_limited;\n")
                .append("      proxy_pass http://").append(name).append(";\n    }\n");
        refusal(b, name + "_overloaded", 503, "overloaded", "Overloaded", "more than " + requests
                + " requests at once through the load balancer; retry later", "concurrent_requests", retryAfter);
        refusal(b, name + "_generations_busy", 503, "overloaded", "Overloaded", "all " + generations
                + " generation slots behind the load balancer are busy; retry later", "concurrent_generations",
                retryAfter);
        refusal(b, name + "_rate_limited", 429, "rate-limited", "Too many requests", "more than " + perSecond
                + " requests per second from this address through the load balancer; retry later", null, retryAfter);
        b.append("  }\n");
        return b.toString();
    }

    /** A named location that answers the refusal: the replica's problem detail shape, with Retry-After. */
    private static void refusal(StringBuilder b, String location, int status, String type, String title,
                                String detail, String limit, int retryAfter) {
        String json = "{\"type\":\"urn:stepwise:problem:" + type + "\",\"title\":\"" + title + "\",\"status\":"
                + status + ",\"detail\":\"" + detail + "\"" + (limit == null ? "" : ",\"limit\":\"" + limit + "\"")
                + ",\"by\":\"load-balancer\"}";
        b.append("    location @").append(location).append(" {\n")
                .append("      default_type application/problem+json;\n")
                .append("      add_header Retry-After ").append(retryAfter).append(" always;\n")
                .append("      return ").append(status).append(" '").append(json).append("';\n    }\n");
    }
}
