package io.stepwise.load;

import java.util.ArrayList;
import java.util.List;

/**
 * One contender of a load cell: a label ("2 replicas, batching off"), the base URL the client sends to (nginx),
 * and the process ids whose CPU and memory count as the server side (the replicas; nginx and Redis separately).
 * Written on the command line as {@code label|url|pid,pid}.
 */
record Target(String label, String url, List<Long> pids) {
    Target {
        pids = List.copyOf(pids);
    }

    static Target parse(String spec) {
        String[] parts = spec.split("\\|");
        if (parts.length != 3 || parts[0].isBlank() || !parts[1].startsWith("http")) {
            throw new IllegalArgumentException("--target: expected label|http://host:port|pid,pid but got " + spec);
        }
        List<Long> pids = new ArrayList<>();
        for (String p : parts[2].split(",")) {
            if (!p.isBlank()) {
                try {
                    pids.add(Long.parseLong(p.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--target " + spec + ": expected process ids but got " + p);
                }
            }
        }
        return new Target(parts[0].trim(), parts[1].trim(), pids);
    }
}
