package dev.flowgate.testkit.contest;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A summary window {@code [from, to]}, inclusive on both ends like the processor's, in whole
 * milliseconds: the bounds go over the wire as millisecond ISO instants with {@code Z}, so a finer
 * bound here would count a payment the other side cannot.
 */
record CheckWindow(Instant from, Instant to) {

    // Always three fraction digits ("...56.000Z"), as the contest's k6 script sends them;
    // Instant.toString() would drop a zero fraction.
    private static final DateTimeFormatter MILLIS = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    CheckWindow {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        from = from.truncatedTo(ChronoUnit.MILLIS);
        to = to.truncatedTo(ChronoUnit.MILLIS);
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("window ends before it starts: " + from + " .. " + to);
        }
    }

    /** {@code from=...&to=...}; ':' is allowed in a query, so nothing needs escaping. */
    String query() {
        return "from=" + MILLIS.format(from) + "&to=" + MILLIS.format(to);
    }

    @Override
    public String toString() {
        return MILLIS.format(from) + " .. " + MILLIS.format(to);
    }
}
