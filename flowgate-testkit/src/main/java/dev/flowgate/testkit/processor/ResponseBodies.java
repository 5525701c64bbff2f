package dev.flowgate.testkit.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.flowgate.testkit.processor.ProcessorEmulator.StoredPayment;
import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON the processor answers with (its errors have no body at all). Decimals are written from {@link java.math.BigDecimal#toPlainString()}
 * so {@code 20.05} never turns into {@code 20.049999...} or {@code 2.005E+1}. Thread-safe.
 */
final class ResponseBodies {
    private final JsonFactory json = new JsonFactory();

    byte[] message(String message) {
        return write(g -> g.writeStringField("message", message));
    }

    byte[] health(boolean failing, int minResponseTime) {
        return write(g -> {
            g.writeBooleanField("failing", failing);
            g.writeNumberField("minResponseTime", minResponseTime);
        });
    }

    byte[] payment(StoredPayment payment) {
        return write(g -> {
            g.writeStringField("correlationId", payment.correlationId().toString());
            g.writeFieldName("amount");
            g.writeNumber(payment.amount().toPlainString());
            g.writeStringField("requestedAt", Instants.format(payment.requestedAt()));
        });
    }

    byte[] summary(Summary summary) {
        return write(g -> {
            g.writeFieldName("totalAmount");
            g.writeNumber(summary.totalAmount().toPlainString());
            g.writeNumberField("totalRequests", summary.totalRequests());
            g.writeFieldName("totalFee");
            g.writeNumber(summary.totalFee().toPlainString());
            g.writeFieldName("feePerTransaction");
            g.writeNumber(summary.feePerTransaction().toPlainString());
        });
    }

    byte[] delayChanged(int was, int is) {
        return write(g -> {
            g.writeStringField("config", "delay");
            g.writeNumberField("was", was);
            g.writeNumberField("is", is);
        });
    }

    byte[] failureChanged(boolean was, boolean is) {
        return write(g -> {
            g.writeStringField("config", "failure");
            g.writeBooleanField("was", was);
            g.writeBooleanField("is", is);
        });
    }

    private byte[] write(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator generator = json.createGenerator(out)) {
            generator.writeStartObject();
            fields.write(generator);
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator generator) throws IOException;
    }
}
