package io.stepwise.training.experiments;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.stepwise.training.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one experiment found, and its three files in the output folder: {@code <name>.md} (claims with verdicts,
 * setup, tables, plots), {@code <name>-<figure>.png} (one per {@link Figure}) and {@code <name>.json} (every
 * figure's points, every table, the raw per-seed results, run times and provenance). All written atomically.
 */
public final class ExperimentReport {
    static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting()
            .disableHtmlEscaping().create();

    /** A table of results: column names and rows of already formatted cells. */
    public record Table(String title, List<String> columns, List<List<String>> rows) {
        public Table {
            columns = List.copyOf(columns);
            List<List<String>> copy = new ArrayList<>();
            for (List<String> row : rows) {
                if (row.size() != columns.size()) {
                    throw new IllegalArgumentException("table " + title + ": a row has " + row.size()
                            + " cells but there are " + columns.size() + " columns");
                }
                copy.add(List.copyOf(row));
            }
            rows = List.copyOf(copy);
        }
    }

    private final String name;
    private final String title;
    private String introduction = "";
    private String setup = "";
    private final List<Claim> claims = new ArrayList<>();
    private final List<Table> tables = new ArrayList<>();
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final Map<String, Object> run = new LinkedHashMap<>();

    public ExperimentReport(String name, String title) {
        this.name = Objects.requireNonNull(name, "name");
        this.title = Objects.requireNonNull(title, "title");
    }

    public String name() {
        return name;
    }

    public String title() {
        return title;
    }

    public List<Claim> claims() {
        return List.copyOf(claims);
    }

    public List<Figure> figures() {
        return List.copyOf(figures);
    }

    public List<Table> tables() {
        return List.copyOf(tables);
    }

    /** The raw results recorded with {@link #result}. */
    public Map<String, Object> results() {
        return Map.copyOf(results);
    }

    /** The question the experiment answers and the textbook claims it measures (Markdown). */
    public ExperimentReport introduction(String markdown) {
        this.introduction = markdown;
        return this;
    }

    /** Data, models, budgets, seeds and the rules that turn figures into verdicts (Markdown). */
    public ExperimentReport setup(String markdown) {
        this.setup = markdown;
        return this;
    }

    public ExperimentReport claim(Claim claim) {
        claims.add(Objects.requireNonNull(claim, "claim"));
        return this;
    }

    public ExperimentReport table(Table table) {
        tables.add(Objects.requireNonNull(table, "table"));
        return this;
    }

    public ExperimentReport figure(Figure figure) {
        figures.add(Objects.requireNonNull(figure, "figure"));
        return this;
    }

    public ExperimentReport note(String markdown) {
        notes.add(Objects.requireNonNull(markdown, "note"));
        return this;
    }

    /** Records a raw result (numbers, lists, maps of them) under {@code key} in the JSON. */
    public ExperimentReport result(String key, Object value) {
        results.put(key, value);
        return this;
    }

    /** Records run facts (scale, seeds, command, times, versions) written at the top of both files. */
    public ExperimentReport run(String key, Object value) {
        run.put(key, value);
        return this;
    }

    /** The PNG file name of {@code figure}. */
    public String pngName(Figure figure) {
        return name + "-" + figure.id() + ".png";
    }

    /** Writes {@code <name>.md}, {@code <name>.json} and every figure's PNG into {@code folder}. */
    public void write(Path folder) throws IOException {
        for (Figure f : figures) {
            f.render(folder.resolve(pngName(f)));
        }
        AtomicFiles.writeString(folder.resolve(name + ".json"), GSON.toJson(toMap()) + "\n");
        AtomicFiles.writeString(folder.resolve(name + ".md"), markdown());
    }

    /** Everything in the report as a JSON-ready map. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", name);
        m.put("title", title);
        m.putAll(run);
        List<Map<String, Object>> cs = new ArrayList<>();
        for (Claim c : claims) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("statement", c.statement());
            cm.put("verdict", c.verdict().label());
            cm.put("evidence", c.evidence());
            cs.add(cm);
        }
        m.put("claims", cs);
        List<Map<String, Object>> ts = new ArrayList<>();
        for (Table t : tables) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("title", t.title());
            tm.put("columns", t.columns());
            tm.put("rows", t.rows());
            ts.add(tm);
        }
        m.put("tables", ts);
        m.put("figures", figures.stream().map(Figure::toMap).toList());
        m.put("results", results);
        return m;
    }

    /** The Markdown page. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        if (!introduction.isBlank()) {
            sb.append(introduction.strip()).append("\n\n");
        }
        sb.append("Reproduce: `").append(run.getOrDefault("command", "stepwise experiment " + name))
                .append("` (scale ").append(run.getOrDefault("scale", "?")).append("). ");
        if (run.containsKey("wall_seconds")) {
            sb.append(String.format(Locale.ROOT, "This run took %.0f s wall-clock and %.0f s of CPU time",
                    ((Number) run.get("wall_seconds")).doubleValue(), ((Number) run.get("cpu_seconds")).doubleValue()));
            if (run.containsKey("date")) {
                sb.append(" (").append(run.get("date")).append(")");
            }
            sb.append(". ");
        }
        if (run.containsKey("versions")) {
            sb.append("Versions: `").append(GSON.toJson(run.get("versions")).replaceAll("\\s+", " ")).append("`.");
        }
        sb.append("\n\n## Claims\n\n| claim | verdict | numbers |\n|---|---|---|\n");
        for (Claim c : claims) {
            sb.append("| ").append(cell(c.statement())).append(" | **").append(c.verdict().label()).append("** | ")
                    .append(cell(c.evidence())).append(" |\n");
        }
        if (!setup.isBlank()) {
            sb.append("\n## Setup\n\n").append(setup.strip()).append("\n");
        }
        sb.append("\n## Results\n");
        for (Table t : tables) {
            sb.append("\n**").append(t.title()).append("**\n\n| ").append(String.join(" | ", t.columns()))
                    .append(" |\n|").append("---|".repeat(t.columns().size())).append("\n");
            for (List<String> row : t.rows()) {
                sb.append("| ").append(String.join(" | ", row.stream().map(ExperimentReport::cell).toList()))
                        .append(" |\n");
            }
        }
        for (Figure f : figures) {
            sb.append("\n![").append(f.title()).append("](").append(pngName(f)).append(")\n");
        }
        if (!notes.isEmpty()) {
            sb.append("\n## Notes\n\n");
            for (String n : notes) {
                sb.append("- ").append(n.strip()).append("\n");
            }
        }
        sb.append("\nEvery number above, every plotted point and the per-seed results are in `").append(name)
                .append(".json`.\n");
        return sb.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
