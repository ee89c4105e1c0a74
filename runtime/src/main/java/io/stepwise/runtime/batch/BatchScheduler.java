package io.stepwise.runtime.batch;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StateSlot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The scheduler of a {@link BatchingModel}: a queue of sessions with pending requests and the thread that drains it.
 *
 * <p>Each session is in the ready queue at most once, with its oldest request; after that request runs, the session
 * goes to the back of the queue if it has more. A batch takes sessions from the front, so every session is served
 * within (sessions ahead of it) / (batch size) calls: none starves, however busy the others keep the scheduler.
 *
 * <p>When to run: a batch runs as soon as the ready queue holds as many sessions as the last batch had (the
 * sessions that just got their results usually come straight back) or {@code maxDelay} has passed (counted from
 * the end of the last batch, or from the first arrival when nothing was waiting), whichever is first; so a lone
 * sequence runs at once and a steady crowd is stepped together, the scheduler waking once per batch. The call itself runs outside the
 * lock, through {@link RecurrentModel#feedAll}, and the new states are stored in the sessions before their futures
 * complete.
 */
final class BatchScheduler implements Runnable {
    private final RecurrentModel model;
    private final boolean tokens;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final int maxQueued;
    private final BatchListener listener;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Sessions whose oldest pending request is waiting to run. Guarded by {@link #lock}. */
    private final ArrayDeque<BatchedSession> ready = new ArrayDeque<>();
    /** Requests waiting or running. Guarded by {@link #lock}. */
    private int queued;
    /** The ready-queue size worth waking the scheduler for while it waits for a batch. Guarded by {@link #lock}. */
    private int wanted = 1;
    private int lastBatch = 1;
    /** A batch is running (on the scheduler thread, or inline on a caller's). Guarded by {@link #lock}. */
    private boolean busy;
    private boolean shutdown;
    private final Thread thread;

    final AtomicLong calls = new AtomicLong();
    final AtomicLong steps = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

    BatchScheduler(RecurrentModel model, int maxBatch, long maxDelayNanos, int maxQueued, BatchListener listener,
                   String threadName) {
        this.model = model;
        this.tokens = model.info().isTokenInput();
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelayNanos;
        this.maxQueued = maxQueued;
        this.listener = listener;
        this.thread = new Thread(this, threadName);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isSchedulerThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Queues a request behind its session's earlier ones.
     *
     * @param mayRunInline the caller will block for the result anyway (a synchronous step), so it may run the
     *                     call itself when nothing else is pending or running and the last call carried one session:
     *                     a lone sequence then pays no hand-off to the scheduler thread
     * @return whether the caller must now run the request with {@link #runInline}
     * @throws BatchingOverloadedException when the queue is full
     * @throws IllegalStateException       after shutdown
     */
    boolean submit(Request r, boolean mayRunInline) {
        lock.lock();
        try {
            if (shutdown) {
                throw new IllegalStateException("BatchingModel is closed");
            }
            if (queued >= maxQueued) {
                rejected.incrementAndGet();
            } else {
                queued++;
                ArrayDeque<Request> pending = r.session.pending(true);
                pending.addLast(r);
                if (mayRunInline && pending.size() == 1 && !busy && ready.isEmpty() && lastBatch <= 1) {
                    busy = true;
                    r.running = true;
                    return true;
                }
                if (pending.size() == 1) {
                    ready.addLast(r.session);
                    if (ready.size() >= wanted) {
                        work.signal();
                    }
                }
                return false;
            }
        } finally {
            lock.unlock();
        }
        BatchingModel.notify(listener, l -> l.onRejected("queue full"));
        throw new BatchingOverloadedException(BatchingOverloadedException.Limit.QUEUED_STEPS, maxQueued,
                "BatchingModel: queue full: " + maxQueued + " steps are already waiting (maxQueuedSteps "
                        + maxQueued + "); retry later, or raise optMaxQueuedSteps / add capacity");
    }

    /** Runs a request that {@link #submit} handed back to its caller, on the caller's thread. */
    void runInline(Request r) {
        execute(List.of(r));
    }

    /** Whether the session has nothing waiting or running. */
    boolean isIdle(BatchedSession s) {
        lock.lock();
        try {
            ArrayDeque<Request> p = s.pending(false);
            return p == null || p.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Withdraws the session's requests that have not started; they fail with {@code reason}. */
    void cancelQueued(BatchedSession s, String reason) {
        List<Request> withdrawn = new ArrayList<>();
        lock.lock();
        try {
            ArrayDeque<Request> p = s.pending(false);
            if (p == null) {
                return;
            }
            for (Request r : p) {
                if (!r.running) {
                    withdrawn.add(r);
                }
            }
            p.removeIf(r -> !r.running);
            queued -= withdrawn.size();
            if (!withdrawn.isEmpty() && p.isEmpty()) {
                ready.remove(s);
            }
        } finally {
            lock.unlock();
        }
        withdrawn.forEach(r -> r.fail(new IllegalStateException(reason)));
    }

    int queued() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking work: requests that have not started fail with {@link IllegalStateException}; the batch that is
     * running completes; then the thread ends.
     */
    void shutdown(long waitMillis) {
        List<Request> withdrawn = new ArrayList<>();
        lock.lock();
        try {
            shutdown = true;
            for (BatchedSession s : ready) {
                ArrayDeque<Request> p = s.pending(false);
                for (Request r : p) {
                    if (!r.running) {
                        withdrawn.add(r);
                    }
                }
                p.removeIf(r -> !r.running);
            }
            queued -= withdrawn.size();
            ready.clear();
            work.signalAll();
        } finally {
            lock.unlock();
        }
        IllegalStateException closed = new IllegalStateException("BatchingModel was closed before this step ran;"
                + " the session's state is unchanged");
        withdrawn.forEach(r -> r.fail(closed));
        if (!isSchedulerThread()) {
            try {
                thread.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        List<Request> batch = new ArrayList<>(maxBatch);
        while (true) {
            batch.clear();
            lock.lock();
            try {
                int target = Math.min(maxBatch, lastBatch);
                if (target > 1 && !busy) {
                    // The sessions of the last batch usually come straight back: wait for them from now, waking
                    // once when they are all in, rather than at the first one and again at the last.
                    awaitReady(target);
                }
                while ((ready.isEmpty() || busy) && !shutdown) {
                    work.await();
                }
                if (shutdown) {
                    return;
                }
                target = Math.min(maxBatch, lastBatch);
                if (ready.size() < target) {
                    awaitReady(target);
                }
                while (batch.size() < maxBatch && !ready.isEmpty()) {
                    Request r = ready.pollFirst().pending(false).peekFirst();
                    r.running = true;
                    batch.add(r);
                }
                busy = !batch.isEmpty();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            execute(batch);
        }
    }

    /** Waits, holding the lock, until {@code target} sessions are ready, shutdown, or {@code maxDelay} passes. */
    private void awaitReady(int target) throws InterruptedException {
        if (maxDelayNanos <= 0 || ready.size() >= target) {
            return;
        }
        wanted = target;
        try {
            long deadline = System.nanoTime() + maxDelayNanos;
            long left;
            while (ready.size() < target && !shutdown && (left = deadline - System.nanoTime()) > 0) {
                work.awaitNanos(left);
            }
        } finally {
            wanted = 1;
        }
    }

    private void execute(List<Request> batch) {
        int n = batch.size();
        StateSlot[] slots = new StateSlot[n];
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Request r = batch.get(i);
            slots[i] = r.session.slot();
            oldest = Math.min(oldest, r.queuedAt);
        }
        long start = System.nanoTime();
        float[][][] result = null;
        Throwable failure = null;
        try {
            if (tokens) {
                int[][] in = new int[n][];
                for (int i = 0; i < n; i++) {
                    in[i] = batch.get(i).tokens;
                }
                result = model.feedAll(slots, in);
            } else {
                float[][][] in = new float[n][][];
                for (int i = 0; i < n; i++) {
                    in[i] = batch.get(i).features;
                }
                result = model.feedAll(slots, in);
            }
        } catch (Throwable t) {
            failure = t;
        }
        long runNanos = System.nanoTime() - start;
        lock.lock();
        try {
            for (Request r : batch) {
                ArrayDeque<Request> p = r.session.pending(false);
                p.pollFirst();
                queued--;
                if (!p.isEmpty()) {
                    ready.addLast(r.session);
                }
            }
            lastBatch = n;
            busy = false;
            if (!ready.isEmpty()) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
        calls.incrementAndGet();
        steps.addAndGet(n);
        for (int i = 0; i < n; i++) {
            Request r = batch.get(i);
            r.session.finished(r);
            if (failure == null) {
                r.complete(result[i]);
            } else {
                r.fail(failure);
            }
        }
        long wait = start - oldest;
        BatchingModel.notify(listener, l -> l.onBatch(n, wait, runNanos));
    }
}
