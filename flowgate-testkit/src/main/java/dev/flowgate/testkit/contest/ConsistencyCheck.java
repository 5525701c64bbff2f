package dev.flowgate.testkit.contest;

import java.time.Duration;
import java.util.Objects;

/**
 * One of the contest's consistency checks: the backend's summary against both processors' admin
 * summaries over the same window. A failed or late backend summary is taken as zeros, so everything
 * the processors recorded in the window then counts against the backend.
 *
 * @param at               when the check ran, since the start of the run
 * @param backendAnswered  false when the backend's summary failed or was late and zeros were used
 * @param defaultRecorded  payments the default processor holds in the window
 * @param fallbackRecorded likewise for the fallback
 */
record ConsistencyCheck(Duration at, CheckWindow window, BackendSummary backend, boolean backendAnswered,
        long defaultRecorded, long fallbackRecorded) {

    ConsistencyCheck {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(backend, "backend");
    }

    /** {@code |backend default - processor default| + |backend fallback - processor fallback|}. */
    long inconsistencies() {
        return Math.abs(backend.defaultProcessor().count() - defaultRecorded)
                + Math.abs(backend.fallbackProcessor().count() - fallbackRecorded);
    }
}
