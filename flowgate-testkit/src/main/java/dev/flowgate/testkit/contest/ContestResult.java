package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything one run found out; {@link ContestJson#write} turns it into the report.
 *
 * @param defaultProcessor  the default processor's own summary over the scoring window
 * @param fallbackProcessor likewise for the fallback; these two are what the score counts
 * @param acknowledged      payments the backend answered with 200, 201, 202 or 204
 * @param sent              payments written to the backend (connection failures are not)
 * @param unanswered        sent without a complete answer (timeout or error): their fate is unknown
 * @param backend           the backend's own summary of everything, if it answered
 * @param backendPurged     whether its optional {@code POST /purge-payments} succeeded before the run
 * @param paidOnBoth        correlation ids both processors hold; known for emulators in this process only
 * @param checks            consistency checks completed
 * @param failedChecks      checks skipped because a processor's summary failed
 * @param scheduleErrors    condition changes that could not be applied to a processor
 */
record ContestResult(String scenario, Duration length, int peakVus, BigDecimal amount, Score score,
        long inconsistencies, int checks, int failedChecks, Summary defaultProcessor, Summary fallbackProcessor,
        long acknowledged, long sent, long unanswered, Latency latency, Map<String, Long> requestsByStatus,
        Optional<BackendSummary> backend, boolean backendPurged, OptionalLong paidOnBoth, int scheduleErrors) {

    ContestResult {
        Objects.requireNonNull(score, "score");
        Objects.requireNonNull(defaultProcessor, "defaultProcessor");
        Objects.requireNonNull(fallbackProcessor, "fallbackProcessor");
        Objects.requireNonNull(latency, "latency");
        requestsByStatus = Map.copyOf(requestsByStatus);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(paidOnBoth, "paidOnBoth");
    }

    /** See {@link Scoring#lag}. */
    long lag() {
        return Scoring.lag(acknowledged, defaultProcessor.totalRequests(), fallbackProcessor.totalRequests());
    }

    /** The contest's slush fund rule: the processors hold more payments than the backend acknowledged. */
    boolean disqualified() {
        return lag() < 0;
    }

    /**
     * How far the backend's own summary of everything is from what the processors hold, counted like
     * an inconsistency; empty if it did not answer. Not part of the score: the contest only compares
     * windows during the run.
     */
    OptionalLong backendDifference() {
        return backend.map(summary -> OptionalLong.of(
                        Math.abs(summary.defaultProcessor().count() - defaultProcessor.totalRequests())
                                + Math.abs(summary.fallbackProcessor().count() - fallbackProcessor.totalRequests())))
                .orElse(OptionalLong.empty());
    }
}
