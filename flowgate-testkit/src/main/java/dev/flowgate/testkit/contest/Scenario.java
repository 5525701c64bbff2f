package dev.flowgate.testkit.contest;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of the contest's load test as pure functions of the time elapsed since its start: how many
 * virtual users are active, what the processors are told to do, when the consistency checks run and
 * which window they compare. Nothing here sleeps or reads a clock, so a 300 s timeline is checked in
 * microseconds.
 *
 * <p>The final run is the contest's ({@code rinha-processor.md}). The spec does not list the
 * preview's conditions ("different condition changes every 10 s"); this preview takes them from a
 * copy of the contest's preview k6 script found in a participant's repository (not verified against
 * the official one), which visits every situation a backend's routing must handle:
 * <pre>
 *   at    default           fallback
 *    1 s  0 ms              0 ms               all healthy
 *   10 s  100 ms            0 ms               default a little slow: stay on it
 *   20 s  100 ms, failing   0 ms               default failing: the fallback, or wait
 *   30 s  2000 ms, failing  1000 ms, failing   both failing (and slow): wait, never pay twice
 *   40 s  20 ms             20 ms              recovery: drain what waited, on the cheaper one
 *   50 s  0 ms              5000 ms            fallback very slow: a payment sent there times out
 * </pre>
 * Checks run at 0 s and every 10 s after, like the script's checking user, which checks first and
 * then sleeps 10 s; the one at 0 s catches a backend that kept payments of an earlier run.
 *
 * @param name          "final" or "preview", for the report
 * @param length        the virtual users ramp up over this whole time, then the run ends
 * @param peakVus       users active at the end of the ramp; the ramp starts at 1
 * @param amount        the amount of every payment
 * @param defaultFee    fee of the default processor, for emulators this run starts itself
 * @param fallbackFee   fee of the fallback processor, likewise
 * @param phases        the processor conditions, in order of {@link Phase#at()}
 * @param checkInterval a consistency check at 0 and every multiple of this before {@code length}
 * @param windowStart   a check compares payments from this long before it ...
 * @param windowEnd     ... up to this long before it
 * @param settle        after the last answer, how long the backend gets to finish before scoring
 * @param scoringWindow the score counts the processors' payments of this last stretch of time
 */
record Scenario(String name, Duration length, int peakVus, BigDecimal amount, BigDecimal defaultFee,
        BigDecimal fallbackFee, List<Phase> phases, Duration checkInterval, Duration windowStart,
        Duration windowEnd, Duration settle, Duration scoringWindow) {

    /** The contest's k6 timeout of a {@code POST /payments}, and of the summary a check asks for. */
    static final Duration REQUEST_TIMEOUT = Duration.ofMillis(1500);

    /** What each virtual user sleeps after every payment, whatever its outcome. */
    static final Duration THINK_TIME = Duration.ofSeconds(1);

    static final int MAX_VUS = 5_000;
    static final Duration MAX_LENGTH = Duration.ofHours(1);

    // Floors for a compressed run: a check needs a few answers to compare, a window has to outlast
    // a few milliseconds of processing, and the backend needs a moment to finish after the load.
    private static final Duration MIN_CHECK_INTERVAL = Duration.ofSeconds(2);
    private static final Duration MIN_WINDOW_START = Duration.ofSeconds(3);
    private static final Duration MIN_SETTLE = Duration.ofMillis(500);

    // The contest scores "the last 360 s": its whole 300 s run and a margin (the preview: 60 s + 10 s).
    private static final Duration SCORING_WINDOW = Duration.ofSeconds(360);

    Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(defaultFee, "defaultFee");
        Objects.requireNonNull(fallbackFee, "fallbackFee");
        phases = List.copyOf(phases);
        check(length.isPositive() && length.compareTo(MAX_LENGTH) <= 0, "length must be in (0, 1 h]: " + length);
        check(peakVus >= 1 && peakVus <= MAX_VUS, "peak VUs must be in 1.." + MAX_VUS + ": " + peakVus);
        check(amount.signum() > 0, "amount must be positive: " + amount);
        check(checkInterval.isPositive(), "check interval must be positive: " + checkInterval);
        check(windowEnd.isPositive() && windowStart.compareTo(windowEnd) > 0,
                "a check window must start before it ends: " + windowStart + " .. " + windowEnd + " ago");
        check(!settle.isNegative(), "settle must not be negative: " + settle);
        check(scoringWindow.compareTo(length) > 0, "the scoring window must cover the run: " + scoringWindow);
        for (int i = 1; i < phases.size(); i++) {
            check(phases.get(i).at().compareTo(phases.get(i - 1).at()) >= 0, "phases out of order: " + phases);
        }
    }

    /** The contest's final run: 1 to 603 users over 300 s, 20.05 each, fees 7 % and 10 %. */
    static Scenario finalRun() {
        return new Scenario("final", Duration.ofSeconds(300), 603, new BigDecimal("20.05"),
                new BigDecimal("0.07"), new BigDecimal("0.10"),
                List.of(Phase.at(1, 0, false, 0, false),
                        Phase.at(30, 1000, false, 0, false),
                        Phase.at(60, 500, false, 0, false),
                        Phase.at(90, 2000, true, 1000, false),
                        Phase.at(120, 5000, true, 5, false),
                        Phase.at(150, 0, false, 5, true),
                        Phase.at(180, 100, false, 5, false),
                        Phase.at(210, 50, false, 0, false),
                        Phase.at(240, 103, false, 10, false),
                        Phase.at(270, 2000, false, 0, false)),
                Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2),
                SCORING_WINDOW);
    }

    /** The contest's preview run: 550 users over 60 s, 19.90 each, fees 5 % and 15 %; see the class comment. */
    static Scenario preview() {
        return new Scenario("preview", Duration.ofSeconds(60), 550, new BigDecimal("19.90"),
                new BigDecimal("0.05"), new BigDecimal("0.15"),
                List.of(Phase.at(1, 0, false, 0, false),
                        Phase.at(10, 100, false, 0, false),
                        Phase.at(20, 100, true, 0, false),
                        Phase.at(30, 2000, true, 1000, true),
                        Phase.at(40, 20, false, 20, false),
                        Phase.at(50, 0, false, 5000, false)),
                Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(70));
    }

    /**
     * This run stretched or compressed to {@code newLength}, with {@code newPeakVus} at the end of
     * the ramp. The phase offsets, the ramp and the check interval (at least 2 s) scale with the
     * length. The window's start and the settle time only shrink, to at least 3 s ago and 500 ms.
     * The window's end (2 s ago) never scales: it is the time a backend has to settle a payment
     * against processor delays that do not scale either; shrunk below a processor's delay, every
     * check would race payments the processor stores at that very moment, which the contest
     * itself never does. The scoring window keeps its margin beyond the run. Delays, think time
     * and timeouts do not scale: they are what the backend is measured against.
     */
    Scenario scaled(Duration newLength, int newPeakVus) {
        check(newLength.isPositive() && newLength.compareTo(MAX_LENGTH) <= 0, "length must be in (0, 1 h]: " + newLength);
        long from = length.toMillis();
        long to = newLength.toMillis();
        List<Phase> scaledPhases = new ArrayList<>(phases.size());
        for (Phase phase : phases) {
            scaledPhases.add(new Phase(scale(phase.at(), from, to), phase.defaultProcessor(), phase.fallbackProcessor()));
        }
        boolean shrinking = to < from;
        return new Scenario(name, newLength, newPeakVus, amount, defaultFee, fallbackFee, scaledPhases,
                max(scale(checkInterval, from, to), MIN_CHECK_INTERVAL),
                shrinking ? max(scale(windowStart, from, to), MIN_WINDOW_START) : windowStart,
                windowEnd,
                shrinking ? max(scale(settle, from, to), MIN_SETTLE) : settle,
                newLength.plus(scoringWindow.minus(length)));
    }

    /**
     * Users active {@code elapsed} into the run, as k6's ramping-vus computes them:
     * {@code 1 + (peak - 1) * t / length}, rounded down; 0 before the start, the peak from the end on.
     */
    int activeVus(Duration elapsed) {
        if (elapsed.isNegative()) {
            return 0;
        }
        if (elapsed.compareTo(length) >= 0) {
            return peakVus;
        }
        // (peak - 1) * t fits a long: at most 4,999 * 3.6e12 ns.
        return 1 + (int) ((peakVus - 1L) * elapsed.toNanos() / length.toNanos());
    }

    /** When the user with this 0-based index joins: the first moment {@link #activeVus} counts it. */
    Duration vuStart(int index) {
        Objects.checkIndex(index, peakVus);
        if (index == 0) {
            return Duration.ZERO;
        }
        // The smallest t with (peak - 1) * t / length >= index, in whole nanoseconds.
        return Duration.ofNanos(Math.ceilDiv(index * length.toNanos(), peakVus - 1L));
    }

    /** The phase in force {@code elapsed} into the run; empty before the first one. */
    Optional<Phase> phaseAt(Duration elapsed) {
        Phase current = null;
        for (Phase phase : phases) {
            if (phase.at().compareTo(elapsed) <= 0) {
                current = phase;
            }
        }
        return Optional.ofNullable(current);
    }

    /** When the consistency checks run: at the start and every {@link #checkInterval()} after, before the end. */
    List<Duration> checkOffsets() {
        List<Duration> offsets = new ArrayList<>();
        for (Duration at = Duration.ZERO; at.compareTo(length) < 0; at = at.plus(checkInterval)) {
            offsets.add(at);
        }
        return offsets;
    }

    /** What a check at {@code now} compares: {@code now - windowStart .. now - windowEnd}. */
    CheckWindow checkWindow(Instant now) {
        return new CheckWindow(now.minus(windowStart), now.minus(windowEnd));
    }

    /** What the score counts when computed at {@code now}: the last {@link #scoringWindow()}. */
    CheckWindow scoringWindowEndingAt(Instant now) {
        return new CheckWindow(now.minus(scoringWindow), now);
    }

    private static Duration scale(Duration duration, long fromMillis, long toMillis) {
        // Milliseconds keep the product in range (at most 3.6e6 * 3.6e6); rounded to the nearest.
        return Duration.ofMillis((duration.toMillis() * toMillis + fromMillis / 2) / fromMillis);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
