package io.stepwise.flink;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects everything a mini-cluster job writes into a queue of this JVM, named so tests do not share one. It is
 * not transactional on purpose: records replayed after a failure arrive again, and the tests see them.
 */
final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> QUEUES = new ConcurrentHashMap<>();
    private final String name;

    CollectingSink(String name) {
        this.name = name;
        QUEUES.put(name, new ConcurrentLinkedQueue<>());
    }

    @SuppressWarnings("unchecked")
    Queue<T> values() {
        return (Queue<T>) QUEUES.get(name);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> queue = QUEUES.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context c) {
                queue.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }
}
