package dev.flowgate.testkit.load;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One simulated client's keep-alive connection: opened on first use, dropped after a failure or a
 * {@code Connection: close} answer, opened again for the next request. Used by one thread at a time.
 */
public final class KeepAliveConnection implements Closeable {
    private final InetSocketAddress address;
    private final Duration connectTimeout;
    private final Ticker ticker;
    private HttpConnection connection;

    public KeepAliveConnection(InetSocketAddress address, Duration connectTimeout, Ticker ticker) {
        this.address = address;
        this.connectTimeout = connectTimeout;
        this.ticker = ticker;
    }

    /** Opens the connection unless one is open. A failure here means nothing was sent. */
    public void connect() throws IOException {
        if (connection == null) {
            connection = HttpConnection.open(address, connectTimeout, ticker);
        }
    }

    /**
     * Sends the request on the connection {@link #connect} opened and reads the whole answer.
     *
     * @param deadlineNanos when the answer must be complete, on the ticker
     * @return the answer's status code
     * @throws IOException after which the connection is closed (a late answer would otherwise be
     *                     read as the next request's)
     */
    public int exchange(byte[] request, long deadlineNanos) throws IOException {
        connect();
        try {
            int status;
            try {
                status = connection.exchange(request, deadlineNanos);
            } catch (HttpConnection.StaleConnectionException e) {
                // The server closed the idle connection before reading this request, so it was never
                // processed; send it once more on a new connection, as HTTP clients (k6's too) do.
                // Even if the server did see it, the repeat carries the same correlationId, which is
                // what makes a payment request safe to repeat.
                close();
                connect();
                status = connection.exchange(request, deadlineNanos);
            }
            if (!connection.keepAlive()) {
                close();
            }
            return status;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
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
