package dev.flowgate.testkit.processor;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code requestedAt} and summary bounds as the processor reads and writes them. It parses like
 * .NET's {@code DateTime}: an ISO-8601 date and time, an offset or none (none is UTC, as the
 * contest's containers ran), kept to the microsecond like a PostgreSQL timestamp. It writes a
 * {@code DateTime} of unspecified kind: no offset, the fraction without trailing zeros, none at all
 * on a whole second ({@code 2025-07-15T12:34:56.1}).
 */
final class Instants {
    private static final Pattern ISO = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,16}))?)?)?\\s*(Z|z|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    private Instants() {
    }

    /** The instant, truncated to microseconds; null if {@code text} is not one the processor reads. */
    static Instant parse(String text) {
        Matcher m = ISO.matcher(text);
        if (!m.matches()) {
            return null;
        }
        try {
            LocalDate date = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)));
            int hours = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
            int minutes = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
            int seconds = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
            if (hours > 23 || minutes > 59 || seconds > 59) {
                return null;
            }
            long micros = m.group(7) == null ? 0 : Long.parseLong((m.group(7) + "000000").substring(0, 6));
            long epochSecond = date.toEpochDay() * 86_400L + hours * 3_600L + minutes * 60L + seconds;
            String zone = m.group(8);
            if (zone != null && !zone.equalsIgnoreCase("Z")) {
                String digits = zone.substring(1).replace(":", "");
                int offsetHours = Integer.parseInt(digits.substring(0, 2));
                int offsetMinutes = digits.length() >= 4 ? Integer.parseInt(digits.substring(2, 4)) : 0;
                if (offsetHours > 14 || offsetMinutes > 59) {
                    return null;
                }
                epochSecond -= (zone.charAt(0) == '-' ? -1 : 1) * (offsetHours * 3_600L + offsetMinutes * 60L);
            }
            return Instant.ofEpochSecond(epochSecond, micros * 1_000);
        } catch (RuntimeException e) {
            return null; // a date that does not exist (2025-02-30), or out of range
        }
    }

    /** As the processor writes a stored {@code requestedAt}. */
    static String format(Instant instant) {
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        String base = LocalDateTime.ofInstant(micros, ZoneOffset.UTC).format(SECONDS);
        int fraction = micros.getNano() / 1_000;
        if (fraction == 0) {
            return base;
        }
        String digits = String.format("%06d", fraction);
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        return base + "." + digits.substring(0, end);
    }
}
