package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.load.HttpConnection;
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
 * virtual thread.
 */
final class VirtualUser implements Runnable {

    private final InetSocketAddress backend;
    private final PaymentRequests requests;
    private final ContestTally tally;
    private final Ticker ticker;
    private final long startNanos;
    private final long endNanos;
    private HttpConnection connection;

    /**
     * @param startNanos when to send the first payment, on {@code ticker}
     * @param endNanos   no payment starts at or after this; the one in flight finishes (within the timeout)
     */
    VirtualUser(InetSocketAddress backend, PaymentRequests requests, ContestTally tally, Ticker ticker,
            long startNanos, long endNanos) {
        this.backend = backend;
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
            disconnect();
        }
    }

    private void pay() {
        byte[] request = requests.render(UUID.randomUUID());
        Duration timeout = Scenario.REQUEST_TIMEOUT;
        // k6's timeout covers the whole request, connecting included.
        long deadline = ticker.read() + timeout.toNanos();
        if (connection == null) {
            try {
                connection = HttpConnection.open(backend, timeout, ticker);
            } catch (IOException e) {
                tally.connectError();
                return;
            }
        }
        tally.sending();
        // Latency counts from the write, as k6's http_req_duration does (it leaves out connecting).
        long start = ticker.read();
        try {
            int status = exchange(request, deadline);
            tally.answer(status, ticker.read() - start);
            if (!connection.keepAlive()) {
                disconnect();
            }
        } catch (SocketTimeoutException e) {
            // The answer may still come; on this connection it would be read as the next one's.
            disconnect();
            tally.timeout();
        } catch (IOException e) {
            disconnect();
            tally.errorAfterSending();
        }
    }

    private int exchange(byte[] request, long deadline) throws IOException {
        try {
            return connection.exchange(request, deadline);
        } catch (HttpConnection.StaleConnectionException e) {
            // The server closed the idle connection before this request reached it, so it was never
            // processed; once more on a new connection, as k6's client does. The same correlation id
            // would make even a repeat harmless.
            disconnect();
            connection = HttpConnection.open(backend, Scenario.REQUEST_TIMEOUT, ticker);
            return connection.exchange(request, deadline);
        }
    }

    private void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - ticker.read();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    private void disconnect() {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // Nothing to do about a failed close of a connection we give up anyway.
            }
            connection = null;
        }
    }
}
