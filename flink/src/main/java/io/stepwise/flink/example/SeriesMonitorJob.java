package io.stepwise.flink.example;

import io.stepwise.flink.OutputMode;
import io.stepwise.flink.RecurrentStep;
import io.stepwise.flink.RecurrentStepOptions;
import io.stepwise.flink.RejectedEvent;
import io.stepwise.flink.StepEvent;
import io.stepwise.flink.StepOutput;
import io.stepwise.flink.TimePolicy;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Many series in, a forecast and an anomaly score for every observation out.
 *
 * <pre>
 * SeriesMonitorJob --input sensors.csv --model co2-lstm.onnx [--output out/] [--threshold 6] [--parallelism N]
 *                  [--bundle-size 256] [--checkpoint-ms 2000]
 * </pre>
 *
 * <p>Reads {@code series,date,value…} lines (see {@link SeriesCsv}), keys them by series, and runs the model with
 * {@link OutputMode#ANOMALY_SCORE}. Observations scoring at least {@code --threshold} (in units of the series'
 * recent forecast error) are printed as anomalies; with {@code --output}, every output row goes to
 * {@code out/forecasts/} ({@code series,date,position,expected,score,forecast_next}) and every refused or
 * unparseable line to {@code out/rejected/}, as Flink part files. Started with {@code java} it runs on an
 * embedded mini cluster; submitted with {@code flink run} it runs on the cluster (the model path must then exist on
 * every TaskManager).
 */
public final class SeriesMonitorJob {
    private static final OutputTag<String> UNPARSEABLE = new OutputTag<>("unparseable", Types.STRING);

    private SeriesMonitorJob() {
    }

    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        if (!params.has("input") || !params.has("model")) {
            System.err.println("usage: SeriesMonitorJob --input sensors.csv --model co2-lstm.onnx [--output DIR]"
                    + " [--threshold 6] [--parallelism N] [--bundle-size 256] [--checkpoint-ms 2000]");
            System.exit(2);
        }
        String input = params.getRequired("input");
        if (!input.contains("://") && !java.nio.file.Files.isReadable(java.nio.file.Path.of(input))) {
            System.err.println("--input: no readable file at " + input);
            System.exit(2);
        }
        double threshold = params.getDouble("threshold", 6.0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        if (params.has("parallelism")) {
            // Only when asked: otherwise the environment's default stands, which is `flink run -p N` on a cluster.
            env.setParallelism(params.getInt("parallelism"));
        }
        env.enableCheckpointing(params.getLong("checkpoint-ms", 2_000));

        // One file is one split, read in order: each series' rows reach the operator in the file's order.
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new Path(input)).build();
        // The parser's side output is taken from the parser itself: a later operator has none of it.
        SingleOutputStreamOperator<StepEvent> parsed = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "csv").uid("csv").setParallelism(1)
                .process(new Parse()).uid("parse").setParallelism(1);
        SingleOutputStreamOperator<StepEvent> events = parsed
                .assignTimestampsAndWatermarks(WatermarkStrategy.<StepEvent>forBoundedOutOfOrderness(Duration.ofDays(7))
                        .withTimestampAssigner((e, t) -> e.timestamp())).uid("watermarks").setParallelism(1);

        RecurrentStepOptions options = RecurrentStepOptions.builder()
                .setModel(java.nio.file.Path.of(params.getRequired("model")))
                .setMode(OutputMode.ANOMALY_SCORE)
                .optBundleSize(params.getInt("bundle-size", RecurrentStepOptions.DEFAULT_BUNDLE_SIZE))
                .optTimePolicy(TimePolicy.REJECT_OUT_OF_ORDER)
                .build();
        SingleOutputStreamOperator<StepOutput> outputs = RecurrentStep.apply(events.keyBy(StepEvent::key), options);

        outputs.filter(o -> o.hasScore() && o.anomalyScore() >= threshold).uid("anomalies")
                .map(SeriesMonitorJob::anomaly).uid("anomaly-text").print("ANOMALY");

        DataStream<String> rejected = outputs.getSideOutput(RecurrentStep.REJECTED).map(SeriesMonitorJob::rejected)
                .uid("rejected-text").union(parsed.getSideOutput(UNPARSEABLE));
        if (params.has("output")) {
            String out = params.get("output");
            outputs.map(SeriesMonitorJob::row).uid("rows").sinkTo(FileSink.forRowFormat(new Path(out, "forecasts"),
                    new SimpleStringEncoder<String>()).build()).uid("forecasts-sink");
            rejected.sinkTo(FileSink.forRowFormat(new Path(out, "rejected"), new SimpleStringEncoder<String>())
                    .build()).uid("rejected-sink");
        } else {
            rejected.print("REJECTED");
        }
        env.execute("Stepwise series monitor (" + params.get("model") + ")");
    }

    static String anomaly(StepOutput o) {
        return String.format(Locale.ROOT, "%s %s: expected %s, score %.1f", o.key(), SeriesCsv.date(o.timestamp()),
                Arrays.stream(o.expected()).mapToObj(v -> String.format(Locale.ROOT, "%.2f", v))
                        .collect(Collectors.joining(",")), o.anomalyScore());
    }

    static String row(StepOutput o) {
        return o.key() + "," + SeriesCsv.date(o.timestamp()) + "," + o.position() + ","
                + Arrays.stream(o.expected()).mapToObj(SeriesCsv::number).collect(Collectors.joining(";")) + ","
                + SeriesCsv.number(o.anomalyScore()) + ","
                + Arrays.stream(o.values()).mapToObj(SeriesCsv::number).collect(Collectors.joining(";"));
    }

    static String rejected(RejectedEvent r) {
        return r.event().key() + "," + SeriesCsv.date(r.event().timestamp()) + "," + r.reason() + ",\""
                + r.message().replace("\"", "'") + "\"";
    }

    /** Lines to events; the header is skipped and a malformed line goes to {@link #UNPARSEABLE}. */
    static final class Parse extends ProcessFunction<String, StepEvent> {
        @Override
        public void processElement(String line, Context ctx, Collector<StepEvent> out) {
            if (line.isBlank() || SeriesCsv.isHeader(line)) {
                return;
            }
            try {
                out.collect(SeriesCsv.parse(line));
            } catch (IllegalArgumentException e) {
                ctx.output(UNPARSEABLE, ",,UNPARSEABLE,\"" + e.getMessage().replace("\"", "'") + ": " + line
                        .replace("\"", "'") + "\"");
            }
        }
    }
}
