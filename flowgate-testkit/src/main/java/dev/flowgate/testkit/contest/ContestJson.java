package dev.flowgate.testkit.contest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Reads the summaries the processors and the backend answer with, and writes the run's report. Unknown fields are skipped and a
 * missing number counts as 0, so a backend that adds fields of its own is still understood; what is
 * not a JSON object of the expected shape is an {@link IOException}. Thread-safe.
 */
final class ContestJson {

    // Plain decimals: 1949876.12, never 1.94987612E+6.
    private final JsonFactory json = JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    /**
     * The report: one pretty-printed JSON object, the score's fields first. Money in currency units
     * with cents, latencies in milliseconds; {@code null} where a value could not be known.
     */
    String write(ContestResult result) {
        StringWriter out = new StringWriter(2048);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            Score score = result.score();
            g.writeStartObject();
            g.writeStringField("scenario", result.scenario());
            g.writeNumberField("durationSeconds", result.length().toMillis() / 1000.0);
            g.writeNumberField("vus", result.peakVus());
            g.writeNumberField("amount", result.amount());
            g.writeNumberField("score", score.score());
            g.writeNumberField("gross", score.gross());
            g.writeNumberField("fees", score.fees());
            g.writeNumberField("net", score.net());
            g.writeNumberField("p99", score.p99());
            g.writeNumberField("bonus", score.bonus());
            g.writeNumberField("fine", score.fine());
            g.writeNumberField("inconsistencies", result.inconsistencies());
            g.writeNumberField("checks", result.checks());
            g.writeNumberField("failedChecks", result.failedChecks());
            g.writeNumberField("lag", result.lag());
            g.writeBooleanField("disqualified", result.disqualified());
            writeProcessor(g, "default", result.defaultProcessor());
            writeProcessor(g, "fallback", result.fallbackProcessor());
            g.writeNumberField("acknowledged", result.acknowledged());
            g.writeNumberField("sent", result.sent());
            g.writeNumberField("unanswered", result.unanswered());
            g.writeObjectFieldStart("latency");
            g.writeNumberField("p50", result.latency().p50());
            g.writeNumberField("p90", result.latency().p90());
            g.writeNumberField("p99", result.latency().p99());
            g.writeNumberField("max", result.latency().max());
            g.writeEndObject();
            g.writeObjectFieldStart("requestsByStatus");
            // Status codes in order, then "error" and "timeout".
            for (Map.Entry<String, Long> entry : new TreeMap<>(result.requestsByStatus()).entrySet()) {
                g.writeNumberField(entry.getKey(), entry.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("bestScore", score.bestScore());
            g.writeNumberField("scoreRatio", score.scoreRatio());
            if (result.backend().isPresent()) {
                BackendSummary backend = result.backend().get();
                g.writeObjectFieldStart("backend");
                writeTotals(g, "default", backend.defaultProcessor());
                writeTotals(g, "fallback", backend.fallbackProcessor());
                g.writeEndObject();
            } else {
                g.writeNullField("backend");
            }
            writeOptional(g, "backendDifference", result.backendDifference());
            g.writeBooleanField("backendPurged", result.backendPurged());
            writeOptional(g, "paidOnBoth", result.paidOnBoth());
            g.writeNumberField("scheduleErrors", result.scheduleErrors());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.append(System.lineSeparator()).toString();
    }

    private static void writeProcessor(JsonGenerator g, String name, Summary summary) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("count", summary.totalRequests());
        g.writeNumberField("amount", summary.totalAmount());
        g.writeNumberField("fee", summary.totalFee());
        g.writeNumberField("feePerTransaction", summary.feePerTransaction());
        g.writeEndObject();
    }

    private static void writeTotals(JsonGenerator g, String name, BackendSummary.Totals totals) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("count", totals.count());
        g.writeNumberField("amount", totals.amount());
        g.writeEndObject();
    }

    private static void writeOptional(JsonGenerator g, String name, OptionalLong value) throws IOException {
        if (value.isPresent()) {
            g.writeNumberField(name, value.getAsLong());
        } else {
            g.writeNullField(name);
        }
    }

    /** {@code {"totalAmount", "totalRequests", "totalFee", "feePerTransaction"}}, the processor's admin summary. */
    Summary processorSummary(byte[] body) throws IOException {
        try (JsonParser parser = json.createParser(body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            long requests = 0;
            BigDecimal amount = BigDecimal.ZERO;
            BigDecimal fee = BigDecimal.ZERO;
            BigDecimal feePerTransaction = BigDecimal.ZERO;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "totalRequests" -> requests = count(parser, value);
                    case "totalAmount" -> amount = decimal(parser, value);
                    case "totalFee" -> fee = decimal(parser, value);
                    case "feePerTransaction" -> feePerTransaction = decimal(parser, value);
                    default -> parser.skipChildren();
                }
            }
            return new Summary(requests, amount, fee, feePerTransaction);
        }
    }

    /** {@code {"default": {"totalRequests", "totalAmount"}, "fallback": {...}}}, the backend's summary. */
    BackendSummary backendSummary(byte[] body) throws IOException {
        try (JsonParser parser = json.createParser(body)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            BackendSummary.Totals defaultTotals = BackendSummary.Totals.ZERO;
            BackendSummary.Totals fallbackTotals = BackendSummary.Totals.ZERO;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "default" -> defaultTotals = totals(parser, value);
                    case "fallback" -> fallbackTotals = totals(parser, value);
                    default -> parser.skipChildren();
                }
            }
            return new BackendSummary(defaultTotals, fallbackTotals);
        }
    }

    private static BackendSummary.Totals totals(JsonParser parser, JsonToken start) throws IOException {
        expect(start, JsonToken.START_OBJECT);
        long count = 0;
        BigDecimal amount = BigDecimal.ZERO;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "totalRequests" -> count = count(parser, value);
                case "totalAmount" -> amount = decimal(parser, value);
                default -> parser.skipChildren();
            }
        }
        return new BackendSummary.Totals(count, amount);
    }

    private static long count(JsonParser parser, JsonToken token) throws IOException {
        // A count written as 12.0 by a backend with floating-point numbers is still a count.
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return parser.getLongValue();
        }
        if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            try {
                return parser.getDecimalValue().longValueExact();
            } catch (ArithmeticException e) {
                throw new IOException("not a whole count: " + parser.getText(), e);
            }
        }
        throw new IOException("expected a number at " + parser.currentName() + ", got " + token);
    }

    private static BigDecimal decimal(JsonParser parser, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new IOException("expected a number at " + parser.currentName() + ", got " + token);
        }
        return parser.getDecimalValue();
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", got " + actual);
        }
    }
}
