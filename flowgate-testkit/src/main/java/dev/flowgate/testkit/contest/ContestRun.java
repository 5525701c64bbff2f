package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.load.Ticker;
import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * One run of the contest's load test, from purging to the score.
 *
 * <p>Every part runs on its own thread and follows the {@link Scenario}'s timeline from the same
 * start: one thread per user, one that switches the processors' conditions, one that runs the
 * consistency checks. The calling thread reports progress and makes sure the run ends: no payment
 * starts after the scenario's length, each one in flight is bounded by its 1.5 s timeout, and past
 * that (plus a margin) the users are interrupted, which closes their sockets.
 *
 * <p>Two clocks: the {@link Ticker} paces the timeline and measures latency; the wall {@link Clock}
 * places the summary windows, because the backend stamps {@code requestedAt} in wall time.
 */
final class ContestRun {

    // Past the end plus one request timeout, the users should all be done; this much later still
    // running means something hangs, and they are interrupted.
    private static final Duration STOP_MARGIN = Duration.ofSeconds(1);
    // A check or condition change in flight at the end may take its full admin timeout.
    private static final Duration HELPER_GRACE = Duration.ofSeconds(6);
    private static final Duration MIN_PROGRESS_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_PROGRESS_INTERVAL = Duration.ofSeconds(5);
    private static final double MICROS_PER_MILLI = 1_000.0;

    private final Scenario scenario;
    private final Backend backend;
    private final ProcessorControl defaultProcessor;
    private final ProcessorControl fallbackProcessor;
    private final Clock clock;
    private final Ticker ticker;
    private final Consumer<? super ContestProgress> onProgress;
    private final Consumer<String> onWarning;

    private final ContestTally tally = new ContestTally();
    private final AtomicLong inconsistencies = new AtomicLong();
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicInteger failedChecks = new AtomicInteger();
    private final AtomicInteger scheduleErrors = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * @param onProgress called every 1 to 5 s from the calling thread while the users run
     * @param onWarning  called from any thread when a check or a condition change fails
     */
    ContestRun(Scenario scenario, Backend backend, ProcessorControl defaultProcessor, ProcessorControl fallbackProcessor,
            Clock clock, Ticker ticker, Consumer<? super ContestProgress> onProgress, Consumer<String> onWarning) {
        this.scenario = scenario;
        this.backend = backend;
        this.defaultProcessor = defaultProcessor;
        this.fallbackProcessor = fallbackProcessor;
        this.clock = clock;
        this.ticker = ticker;
        this.onProgress = onProgress;
        this.onWarning = onWarning;
    }

    /**
     * Runs the test and computes its result.
     *
     * @throws IOException if a processor cannot be purged or set up before the run, or its summary
     *     cannot be read at the end: there is no score without them
     * @throws InterruptedException if the calling thread is interrupted; every thread of the run is
     *     then interrupted too
     */
    ContestResult execute() throws IOException, InterruptedException {
        defaultProcessor.purge();
        fallbackProcessor.purge();
        // A processor left slow or failing by an earlier run would distort the first phase.
        Optional<Phase> initial = scenario.phaseAt(Duration.ZERO);
        defaultProcessor.apply(initial.map(Phase::defaultProcessor).orElse(Condition.HEALTHY));
        fallbackProcessor.apply(initial.map(Phase::fallbackProcessor).orElse(Condition.HEALTHY));
        Optional<String> purgeFailure = backend.purge();
        purgeFailure.ifPresent(problem -> onWarning.accept("the backend's POST /purge-payments at " + backend.http().base()
                + " failed (" + problem + "); it is optional, but payments of an earlier run may now count"));
        boolean backendPurged = purgeFailure.isEmpty();

        long start = ticker.read();
        long end = start + scenario.length().toNanos();
        CountDownLatch usersDone = new CountDownLatch(scenario.peakVus());
        List<Thread> users = startUsers(start, end, usersDone);
        Thread conditions = helper("contest-conditions", () -> switchConditions(start));
        Thread checker = helper("contest-checks", () -> runChecks(start));
        boolean finished = false;
        try {
            awaitUsers(usersDone, users, start, end);
            joinOrInterrupt(conditions, ticker.read() + HELPER_GRACE.toNanos());
            joinOrInterrupt(checker, Math.max(end, ticker.read()) + HELPER_GRACE.toNanos());
            finished = true;
        } finally {
            if (!finished) {
                users.forEach(Thread::interrupt);
                conditions.interrupt();
                checker.interrupt();
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a thread of the load test failed unexpectedly", failure.get());
        }
        // What the backend still settles in this time counts; what it has not by then is its lag.
        Thread.sleep(scenario.settle());
        return result(backendPurged);
    }

    private List<Thread> startUsers(long start, long end, CountDownLatch usersDone) {
        PaymentRequests requests = new PaymentRequests(backend.http(), scenario.amount());
        // Platform threads, because the generator's own delay is part of every latency it reports:
        // against a server that does nothing, the full final gave p99 3.32 ms with a virtual
        // thread per user (each answer went through the poller and a carrier's queue) and 1.63 ms
        // with a platform thread blocked in read.
        Thread.Builder threads = Thread.ofPlatform().daemon().stackSize(256 * 1024).name("contest-vu-", 0);
        List<Thread> users = new ArrayList<>(scenario.peakVus());
        for (int i = 0; i < scenario.peakVus(); i++) {
            VirtualUser user = new VirtualUser(backend.http().address(), requests, tally, ticker,
                    start + scenario.vuStart(i).toNanos(), end);
            users.add(threads.start(() -> {
                try {
                    user.run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    usersDone.countDown();
                }
            }));
        }
        return users;
    }

    private Thread helper(String name, Interruptible body) {
        return Thread.ofVirtual().name(name).start(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                // Stopped at the end of the run; nothing is left to do.
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
    }

    private void awaitUsers(CountDownLatch usersDone, List<Thread> users, long start, long end)
            throws InterruptedException {
        long interval = progressInterval().toNanos();
        long forceStopAt = end + Scenario.REQUEST_TIMEOUT.toNanos() + STOP_MARGIN.toNanos();
        long nextProgress = start + interval;
        long previousTime = start;
        long previousAcknowledged = 0;
        boolean forced = false;
        while (!usersDone.await(Math.max(0, nextProgress - ticker.read()), TimeUnit.NANOSECONDS)) {
            long now = ticker.read();
            if (now - nextProgress >= 0) {
                long acknowledged = tally.acknowledged();
                Histogram recent = tally.takeInterval();
                OptionalDouble p99 = recent.getTotalCount() == 0 ? OptionalDouble.empty()
                        : OptionalDouble.of(recent.getValueAtPercentile(99) / MICROS_PER_MILLI);
                Duration elapsed = Duration.ofNanos(now - start);
                onProgress.accept(new ContestProgress(elapsed, scenario.activeVus(elapsed),
                        tally.finished(), acknowledged,
                        (acknowledged - previousAcknowledged) * 1e9 / Math.max(1, now - previousTime),
                        p99, inconsistencies.get()));
                previousTime = now;
                previousAcknowledged = acknowledged;
                nextProgress += interval;
            }
            if (!forced && now - forceStopAt >= 0) {
                // Ends their sleeps; a read or connect ends by itself at the request's deadline.
                onWarning.accept("users still running past the end and the request timeout: stopping them");
                users.forEach(Thread::interrupt);
                forced = true;
            } else if (forced && now - forceStopAt - STOP_MARGIN.toNanos() >= 0) {
                throw new IllegalStateException("virtual users did not stop when interrupted");
            }
        }
    }

    private Duration progressInterval() {
        Duration tenth = scenario.length().dividedBy(10);
        return tenth.compareTo(MIN_PROGRESS_INTERVAL) < 0 ? MIN_PROGRESS_INTERVAL
                : tenth.compareTo(MAX_PROGRESS_INTERVAL) > 0 ? MAX_PROGRESS_INTERVAL : tenth;
    }

    private void switchConditions(long start) throws InterruptedException {
        for (Phase phase : scenario.phases()) {
            sleepUntil(start + phase.at().toNanos());
            apply(defaultProcessor, phase.defaultProcessor(), phase);
            apply(fallbackProcessor, phase.fallbackProcessor(), phase);
        }
    }

    private void apply(ProcessorControl processor, Condition condition, Phase phase) {
        try {
            processor.apply(condition);
        } catch (IOException e) {
            // The run goes on: stopping it would lose everything measured so far; the report says it.
            scheduleErrors.incrementAndGet();
            onWarning.accept(String.format(Locale.ROOT, "at %s: could not set the %s processor to %s: %s",
                    seconds(phase.at()), processor.name(), condition, e.getMessage()));
        }
    }

    private void runChecks(long start) throws InterruptedException {
        for (Duration at : scenario.checkOffsets()) {
            sleepUntil(start + at.toNanos());
            check(at);
        }
    }

    /** Like the contest's check, the three summaries are asked for at once, over the same window. */
    private void check(Duration at) throws InterruptedException {
        CheckWindow window = scenario.checkWindow(clock.instant());
        ConsistencyCheck check;
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<BackendSummary>> backendSummary = calls.submit(() -> backend.summary(window));
            Future<Summary> defaultSummary = calls.submit(() -> defaultProcessor.summary(window));
            Future<Summary> fallbackSummary = calls.submit(() -> fallbackProcessor.summary(window));
            Optional<BackendSummary> answer = backendSummary.get();
            check = new ConsistencyCheck(at, window, answer.orElse(BackendSummary.ZERO), answer.isPresent(),
                    defaultSummary.get().totalRequests(), fallbackSummary.get().totalRequests());
        } catch (ExecutionException e) {
            failedChecks.incrementAndGet();
            onWarning.accept("check at " + seconds(at) + " skipped, a processor summary failed: " + e.getCause().getMessage());
            return;
        }
        checks.incrementAndGet();
        long found = check.inconsistencies();
        if (found > 0) {
            inconsistencies.addAndGet(found);
            onWarning.accept(String.format(Locale.ROOT,
                    "check at %s over %s: %d inconsistencies (backend%s %d/%d, processors %d/%d)",
                    seconds(at), window, found, check.backendAnswered() ? "" : " failed or late, counted as",
                    check.backend().defaultProcessor().count(), check.backend().fallbackProcessor().count(),
                    check.defaultRecorded(), check.fallbackRecorded()));
        }
    }

    private ContestResult result(boolean backendPurged) throws IOException {
        CheckWindow window = scenario.scoringWindowEndingAt(clock.instant());
        Summary defaultSummary = defaultProcessor.summary(window);
        Summary fallbackSummary = fallbackProcessor.summary(window);
        Optional<BackendSummary> backendSummary = backend.summaryOfEverything();
        Histogram latencies = tally.total();
        OptionalDouble p99 = latencies.getTotalCount() == 0 ? OptionalDouble.empty()
                : OptionalDouble.of(latencies.getValueAtPercentile(99) / MICROS_PER_MILLI);
        Score score = Scoring.of(defaultSummary, fallbackSummary, p99, inconsistencies.get(), tally.acknowledged(),
                scenario.amount());
        return new ContestResult(scenario.name(), scenario.length(), scenario.peakVus(), scenario.amount(), score,
                inconsistencies.get(), checks.get(), failedChecks.get(), defaultSummary, fallbackSummary,
                tally.acknowledged(), tally.sent(), tally.unanswered(), Latency.of(latencies), tally.requestsByStatus(),
                backendSummary, backendPurged, paidOnBoth(), scheduleErrors.get());
    }

    private OptionalLong paidOnBoth() {
        Optional<Set<UUID>> defaultIds = defaultProcessor.paymentIds();
        Optional<Set<UUID>> fallbackIds = fallbackProcessor.paymentIds();
        if (defaultIds.isEmpty() || fallbackIds.isEmpty()) {
            return OptionalLong.empty();
        }
        Set<UUID> both = new HashSet<>(defaultIds.get());
        both.retainAll(fallbackIds.get());
        return OptionalLong.of(both.size());
    }

    private void joinOrInterrupt(Thread thread, long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - ticker.read();
        if (wait <= 0 || !thread.join(Duration.ofNanos(wait))) {
            thread.interrupt();
            thread.join(HELPER_GRACE);
        }
    }

    private void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - ticker.read();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    @FunctionalInterface
    private interface Interruptible {
        void run() throws InterruptedException;
    }
}
