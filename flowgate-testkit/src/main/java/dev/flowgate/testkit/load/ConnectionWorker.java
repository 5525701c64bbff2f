package dev.flowgate.testkit.load;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The loop of one connection: claim a request from the schedule, wait for its start in fixed-rate
 * mode, send it, record the outcome; reconnect whenever the connection is lost. Runs on its own
 * thread and owns its connection and random generator.
 */
final class ConnectionWorker implements Runnable {

    // A refused connection fails in microseconds; without a pause a closed loop against a server
    // that is down would burn the whole request budget, and the CPU, in a tight loop.
    private static final Duration PAUSE_AFTER_FAILED_CONNECT = Duration.ofMillis(10);

    private final LoopbackTarget target;
    private final PaymentRequestTemplate requests;
    private final SendSchedule schedule;
    private final LoadTally tally;
    private final Ticker ticker;
    private final Duration timeout;
    private final long recordFromNanos;
    private final RandomGenerator random;
    private final KeepAliveConnection connection;

    /**
     * @param recordFromNanos requests starting before this (the end of the warmup) are not recorded
     */
    ConnectionWorker(LoopbackTarget target, PaymentRequestTemplate requests, SendSchedule schedule,
            LoadTally tally, Ticker ticker, Duration timeout, long recordFromNanos, RandomGenerator random) {
        this.target = target;
        this.requests = requests;
        this.schedule = schedule;
        this.tally = tally;
        this.ticker = ticker;
        this.timeout = timeout;
        this.recordFromNanos = recordFromNanos;
        this.random = random;
        this.connection = new KeepAliveConnection(target.address(), timeout, ticker);
    }

    @Override
    public void run() {
        try {
            for (long ticket = schedule.claim(ticker.read());
                    ticket != SendSchedule.DONE && !Thread.currentThread().isInterrupted();
                    ticket = schedule.claim(ticker.read())) {
                send(ticket);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connection.close();
        }
    }

    private void send(long ticket) throws InterruptedException {
        long intended = schedule.intendedStart(ticket, ticker.read());
        if (!schedule.closedLoop()) {
            sleepUntil(intended);
        }
        boolean recorded = intended - recordFromNanos >= 0;
        byte[] request = requests.render(RandomUuids.next(random));
        try {
            connection.connect();
        } catch (IOException e) {
            if (!Thread.currentThread().isInterrupted()) {
                countFailure(e, recorded);
                Thread.sleep(PAUSE_AFTER_FAILED_CONNECT);
            }
            return;
        }
        // Latency is measured from the write, as the contest's k6 does: a thread's sleep can
        // overshoot by a millisecond on a loaded 2-core machine, which is the generator's delay, not
        // the server's. Coordinated omission stays small because an idle connection picks up the
        // next due request while another waits on a slow answer (see SendSchedule).
        long start = ticker.read();
        try {
            int status = connection.exchange(request, start + timeout.toNanos());
            tally.answer(status, ticker.read() - start, recorded);
        } catch (IOException e) {
            if (!Thread.currentThread().isInterrupted()) {
                countFailure(e, recorded);
            }
        }
    }

    private void countFailure(IOException failure, boolean recorded) {
        if (failure instanceof SocketTimeoutException) {
            tally.timeout(recorded);
        } else {
            tally.ioError(recorded);
        }
    }

    private void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - ticker.read();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }
}
