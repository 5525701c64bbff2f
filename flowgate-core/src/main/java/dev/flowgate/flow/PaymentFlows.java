package dev.flowgate.flow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.flowgate.payment.Amounts;
import dev.flowgate.payment.Payment;
import dev.flowgate.settlement.PaymentOutcomes;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.task.TaskStore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@value #PROCESSED} when a payment is processed and {@value #FAILED} when it fails, with the
 * payment as {@code parsed_data}: a flow task of worker {@value #WORKER_ID}, the payment's
 * correlation id as its context (so one payment's flows run in order) and caller {@value #CALLER_ID}.
 * Only while the flow's file exists: a server without payment flows enqueues nothing, and the
 * check costs one file lookup a second per flow, not one per payment.
 */
public final class PaymentFlows implements PaymentOutcomes {
    public static final String PROCESSED = "payment_processed";
    public static final String FAILED = "payment_failed";
    public static final String WORKER_ID = "payments";
    public static final String CALLER_ID = "payment";
    private static final long RECHECK_NANOS = 1_000_000_000L;
    private static final JsonFactory JSON = new JsonFactory();
    private static final Logger LOG = LoggerFactory.getLogger(PaymentFlows.class);

    private final FlowTasks flows;
    private final TaskRuntime runtime;
    private final FlowFile processed;
    private final FlowFile failed;

    public PaymentFlows(FlowTasks flows, TaskRuntime runtime, Path flowsDir) {
        this.flows = flows;
        this.runtime = runtime;
        this.processed = new FlowFile(flowsDir.resolve(PROCESSED + ".js"));
        this.failed = new FlowFile(flowsDir.resolve(FAILED + ".js"));
    }

    @Override
    public void processed(Payment payment, String processor, Instant requestedAt) {
        if (processed.exists()) {
            enqueue(PROCESSED, payment, json(payment, "processed", processor, requestedAt, null));
        }
    }

    @Override
    public void failed(Payment payment, String reason) {
        if (failed.exists()) {
            enqueue(FAILED, payment, json(payment, "failed", null, null, reason));
        }
    }

    private void enqueue(String flow, Payment payment, String parsedData) {
        NewTask task = flows.task(FlowRequest.ofFlow(flow, Map.of("parsed_data", parsedData)), WORKER_ID,
                payment.correlationId().toString(), CALLER_ID);
        try {
            // Grouped: nobody waits for it, so it shares the commit that records the payment's end or the next.
            runtime.enqueue(task, TaskStore.Commit.GROUPED).whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.error("payment {}: its {} flow could not be queued: {}", payment.correlationId(), flow,
                            failure.getMessage());
                }
            });
        } catch (RuntimeException e) { // the store is closing: settlement must go on to journal the payment
            LOG.error("payment {}: its {} flow could not be queued: {}", payment.correlationId(), flow, e.getMessage());
        }
    }

    /** The payment as a flow sees it; the fields as {@code GET /payments/{id}} names them. */
    private static String json(Payment payment, String status, String processor, Instant requestedAt, String reason) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField("correlationId", payment.correlationId().toString());
            out.writeNumberField("amount", Amounts.toDecimal(payment.amountCents()));
            out.writeStringField("status", status);
            if (processor != null) {
                out.writeStringField("processor", processor);
                out.writeStringField("requestedAt", requestedAt.toString());
            }
            if (reason != null) {
                out.writeStringField("lastError", reason);
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /** Whether a flow's file exists, looked up at most once a second. */
    private final class FlowFile {
        private final Path file;
        private volatile boolean exists;
        private volatile long checkedAt;
        private volatile boolean checked;

        FlowFile(Path file) {
            this.file = file;
        }

        boolean exists() {
            long now = System.nanoTime();
            if (!checked || now - checkedAt > RECHECK_NANOS) {
                exists = Files.isRegularFile(file);
                checkedAt = now;
                checked = true;
            }
            return exists;
        }
    }
}
