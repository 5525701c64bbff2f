package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.load.KeepAliveConnection;
import dev.flowgate.testkit.load.Ticker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.UUID;

/**
 * One of k6's virtual users: from its start until the end of the run, post a payment with a fresh
 * correlation id, then sleep the think time, whatever the outcome. It owns one keep-alive
 * connection, dropped after any failure and opened again for the next payment. Runs on its own
 * thread.
 */
final class VirtualUser implements Runnable {

    private final PaymentRequests requests;
    private final ContestTally tally;
    private final Ticker ticker;
    private final long startNanos;
    private final long endNanos;
    private final KeepAliveConnection connection;

    /**
     * @param startNanos when to send the first payment, on {@code ticker}
     * @param endNanos   no payment starts at or after this; the one in flight finishes (within the timeout)
     */
    VirtualUser(InetSocketAddress backend, PaymentRequests requests, ContestTally tally, Ticker ticker,
            long startNanos, long endNanos) {
        this.connection = new KeepAliveConnection(backend, Scenario.REQUEST_TIMEOUT, ticker);
        this.requests = requests;
        this.tally = tally;
        this.ticker = ticker;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
    }

    @Override
    public void run() {
        try {
            sleepUntil(startNanos);
            while (ticker.read() - endNanos < 0) {
                pay();
                // Cut short at the end: the sleep would end past it, and nothing follows.
                long now = ticker.read();
                sleepUntil(endNanos - now < Scenario.THINK_TIME.toNanos() ? endNanos : now + Scenario.THINK_TIME.toNanos());
            }
        } catch (InterruptedException e) {
            // The run is being stopped: leave quietly, the connection is closed below.
            Thread.currentThread().interrupt();
        } finally {
            connection.close();
        }
    }

    private void pay() {
        byte[] request = requests.render(UUID.randomUUID());
        Duration timeout = Scenario.REQUEST_TIMEOUT;
        // k6's timeout covers the whole request, connecting included.
        long deadline = ticker.read() + timeout.toNanos();
        try {
            connection.connect();
        } catch (IOException e) {
            tally.connectError();
            return;
        }
        tally.sending();
        // Latency counts from the write, as k6's http_req_duration does (it leaves out connecting).
        long start = ticker.read();
        try {
            int status = connection.exchange(request, deadline);
            tally.answer(status, ticker.read() - start);
        } catch (SocketTimeoutException e) {
            tally.timeout();
        } catch (IOException e) {
            tally.errorAfterSending();
        }
    }

    private void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - ticker.read();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }
}
