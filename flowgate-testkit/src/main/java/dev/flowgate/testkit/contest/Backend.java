package dev.flowgate.testkit.contest;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The backend under test, apart from its payments: the summary it reports and its optional purge. */
final class Backend {

    // Purging may mean truncating a database; it is done once, before the clock starts.
    private static final Duration PURGE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration UNBOUNDED_SUMMARY_TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] NO_BODY = new byte[0];

    private final LoopbackHttp http;
    private final ContestJson json = new ContestJson();

    Backend(LoopbackHttp http) {
        this.http = http;
    }

    LoopbackHttp http() {
        return http;
    }

    /**
     * {@code POST /purge-payments}; empty if it answered 2xx, else what went wrong. The endpoint is
     * optional in the contest, so a failure is only worth a warning.
     */
    Optional<String> purge() {
        try {
            LoopbackHttp.Answer answer = http.call("POST", "/purge-payments", Map.of(), NO_BODY, PURGE_TIMEOUT);
            return answer.ok() ? Optional.empty() : Optional.of("answered " + answer.status());
        } catch (IOException e) {
            return Optional.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /**
     * The summary over the window, as a consistency check asks for it: empty if it fails, is not
     * 200, cannot be read or takes longer than the contest's 1.5 s.
     */
    Optional<BackendSummary> summary(CheckWindow window) {
        return summary("/payments-summary?" + window.query(), Scenario.REQUEST_TIMEOUT);
    }

    /** The summary without bounds, everything the backend says it paid; empty if it fails. */
    Optional<BackendSummary> summaryOfEverything() {
        return summary("/payments-summary", UNBOUNDED_SUMMARY_TIMEOUT);
    }

    private Optional<BackendSummary> summary(String pathAndQuery, Duration timeout) {
        try {
            LoopbackHttp.Answer answer = http.call("GET", pathAndQuery, Map.of(), NO_BODY, timeout);
            return answer.status() == 200 ? Optional.of(json.backendSummary(answer.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
