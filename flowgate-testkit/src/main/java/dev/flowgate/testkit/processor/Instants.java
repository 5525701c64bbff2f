package dev.flowgate.testkit.processor;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;

/** How the emulator reads and writes {@code requestedAt} and the summary bounds. */
final class Instants {
    /** Exactly three fraction digits, like the contest's clients send ({@code ...56.000Z}). */
    private static final DateTimeFormatter MILLIS = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    private Instants() {
    }

    /** An ISO-8601 instant, {@code Z} or any offset ({@code 2025-07-15T09:34:56.000-03:00}). */
    static Instant parse(String text) throws DateTimeParseException {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        }
    }

    /**
     * In UTC with at least millisecond precision, more when the instant has it: {@link
     * Instant#toString()} drops a zero fraction ({@code ...56Z}), which would make a payment read back
     * differently from how the client sent it.
     */
    static String format(Instant instant) {
        return instant.getNano() % 1_000_000 == 0 ? MILLIS.format(instant) : instant.toString();
    }
}
