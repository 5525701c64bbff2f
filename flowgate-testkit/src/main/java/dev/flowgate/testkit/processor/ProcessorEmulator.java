package dev.flowgate.testkit.processor;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-process stand-in for the "Rinha de Backend 2025" payment processor, faithful to its HTTP
 * behaviour: the delay that runs before anything else and is not cancelled when the client gives
 * up, the failure switch, 422 on a repeated correlation id, the concurrency limit with its queue,
 * the one-call-per-window health rate limit, and the token-protected admin endpoints. Tests drive
 * it over real HTTP, or flip its switches directly through this class.
 *
 * <p>Runs on the JDK's {@link HttpServer} with one virtual thread per request, so thousands of
 * delayed payments cost no platform threads. Thread-safe.
 */
public final class ProcessorEmulator implements AutoCloseable {
    /** How long {@link #close()} waits for handlers to notice they were interrupted. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /** Room in the accept backlog beyond the concurrency limit, for health and admin calls. */
    private static final int BACKLOG_HEADROOM = 256;

    private final HttpServer server;
    private final ExecutorService executor;
    private final PaymentBook book;
    private final Switches switches;
    private final ConcurrencyGate gate;
    private final LongAdder paymentPosts;
    private final URI baseUri;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProcessorEmulator(HttpServer server, ExecutorService executor, PaymentBook book, Switches switches,
                              ConcurrencyGate gate, LongAdder paymentPosts, URI baseUri) {
        this.server = server;
        this.executor = executor;
        this.book = book;
        this.switches = switches;
        this.gate = gate;
        this.paymentPosts = paymentPosts;
        this.baseUri = baseUri;
    }

    /** Binds {@code options.host():options.port()} and starts serving; throws if the address cannot be bound. */
    public static ProcessorEmulator start(Options options) throws IOException {
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        if (address.isUnresolved()) {
            throw new UnknownHostException("cannot resolve " + options.host());
        }
        // Every request the limit admits or queues must get through accept() to be answered at all.
        int backlog = options.concurrencyLimit() + options.concurrencyQueue() + BACKLOG_HEADROOM;
        HttpServer server = HttpServer.create(address, backlog);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        PaymentBook book = new PaymentBook(options.fee());
        Switches switches = new Switches(options.token());
        ConcurrencyGate gate = new ConcurrencyGate(options.concurrencyLimit(), options.concurrencyQueue());
        HealthPacer pacer = new HealthPacer(options.clock().instant(), options.healthWindow(), options.healthQueue());
        LongAdder paymentPosts = new LongAdder();
        server.createContext("/", new ProcessorHandler(book, switches, gate, pacer, options.clock(), paymentPosts,
                options.healthWindow()));
        server.setExecutor(executor);
        server.start();
        URI baseUri;
        try {
            baseUri = new URI("http", null, options.host(), server.getAddress().getPort(), null, null, null);
        } catch (URISyntaxException e) {
            server.stop(0);
            executor.shutdownNow();
            throw new IOException("cannot form a URI for host " + options.host(), e);
        }
        return new ProcessorEmulator(server, executor, book, switches, gate, paymentPosts, baseUri);
    }

    /** The bound port; the actual one when {@link Options#port()} was 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://<host>:<port>}, without a trailing slash. */
    public URI baseUri() {
        return baseUri;
    }

    /** Same effect as {@code PUT /admin/configurations/delay}; millisecond precision, at most {@link Integer#MAX_VALUE} ms. */
    public void setDelay(Duration delay) {
        if (delay.isNegative() || delay.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("delay must be between 0 and " + Integer.MAX_VALUE + " ms: " + delay);
        }
        switches.replaceDelayMillis((int) delay.toMillis());
    }

    /** Same effect as {@code PUT /admin/configurations/failure}. */
    public void setFailing(boolean failing) {
        switches.replaceFailing(failing);
    }

    public int storedCount() {
        return book.size();
    }

    public Optional<StoredPayment> find(UUID correlationId) {
        return book.find(correlationId);
    }

    /** A snapshot of the stored payments, oldest {@code requestedAt} first. */
    public List<StoredPayment> payments() {
        return book.snapshot();
    }

    /**
     * Totals over the payments with {@code requestedAt} in {@code [from, to]}, inclusive; a null bound
     * leaves that side open. (Over HTTP a single missing bound means all payments, as on the processor.)
     */
    public Summary summary(Instant fromInclusiveOrNull, Instant toInclusiveOrNull) {
        return book.summarize(fromInclusiveOrNull, toInclusiveOrNull);
    }

    /** {@code POST /payments} requests received, whatever their outcome (200, 4xx, 500, 429). */
    public long paymentPostsReceived() {
        return paymentPosts.sum();
    }

    /** Payment posts and lookups running or queued behind the concurrency limit; for tests. */
    int requestsInsideLimit() {
        return gate.inside();
    }

    /** Stops the server; requests still in their delay or queue are dropped without an answer. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How to run the emulator. The limits default to the contest processor's: 800 concurrent payment
     * requests plus a queue of 500, and one health call per 5 s window plus a queue of 2.
     *
     * @param host             address to bind, {@code 127.0.0.1} by default
     * @param port             port to bind, 0 for any free port
     * @param fee              fee per transaction as a fraction in [0, 1), e.g. 0.05 for 5 %
     * @param token            the initial admin token ({@code X-Rinha-Token})
     * @param clock            time for the health rate limit's windows
     * @param concurrencyLimit payment posts and lookups served at once
     * @param concurrencyQueue further ones waiting, oldest first, before 429
     * @param healthWindow     the health rate limit's window, one call each
     * @param healthQueue      health calls waiting for the next windows before 429
     */
    public record Options(String host, int port, BigDecimal fee, String token, Clock clock,
                          int concurrencyLimit, int concurrencyQueue, Duration healthWindow, int healthQueue) {
        private static final int CONCURRENCY_LIMIT = 800;
        private static final int CONCURRENCY_QUEUE = 500;
        private static final Duration HEALTH_WINDOW = Duration.ofSeconds(5);
        private static final int HEALTH_QUEUE = 2;

        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(fee, "fee");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(healthWindow, "healthWindow");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            if (fee.signum() < 0 || fee.compareTo(BigDecimal.ONE) >= 0) {
                throw new IllegalArgumentException("fee must be in [0, 1): " + fee);
            }
            if (token.isBlank()) {
                throw new IllegalArgumentException("token must not be blank");
            }
            if (concurrencyLimit < 1 || concurrencyQueue < 0) {
                throw new IllegalArgumentException("need concurrencyLimit >= 1 and concurrencyQueue >= 0: "
                        + concurrencyLimit + ", " + concurrencyQueue);
            }
            if (!healthWindow.isPositive() || healthQueue < 0) {
                throw new IllegalArgumentException("need a positive healthWindow and healthQueue >= 0: "
                        + healthWindow + ", " + healthQueue);
            }
        }

        /** The first five settings, with the contest's limits. */
        public Options(String host, int port, BigDecimal fee, String token, Clock clock) {
            this(host, port, fee, token, clock, CONCURRENCY_LIMIT, CONCURRENCY_QUEUE, HEALTH_WINDOW, HEALTH_QUEUE);
        }

        /** 127.0.0.1, any free port, fee 0.05, token "123", the system clock, the contest's limits. */
        public static Options defaults() {
            return new Options("127.0.0.1", 0, new BigDecimal("0.05"), "123", Clock.systemUTC());
        }

        public Options withHost(String host) {
            return new Options(host, port, fee, token, clock, concurrencyLimit, concurrencyQueue, healthWindow, healthQueue);
        }

        public Options withPort(int port) {
            return new Options(host, port, fee, token, clock, concurrencyLimit, concurrencyQueue, healthWindow, healthQueue);
        }

        public Options withFee(BigDecimal fee) {
            return new Options(host, port, fee, token, clock, concurrencyLimit, concurrencyQueue, healthWindow, healthQueue);
        }

        public Options withToken(String token) {
            return new Options(host, port, fee, token, clock, concurrencyLimit, concurrencyQueue, healthWindow, healthQueue);
        }

        public Options withClock(Clock clock) {
            return new Options(host, port, fee, token, clock, concurrencyLimit, concurrencyQueue, healthWindow, healthQueue);
        }

        /** At most {@code limit} payment posts and lookups at once, plus {@code queue} waiting. */
        public Options withConcurrency(int limit, int queue) {
            return new Options(host, port, fee, token, clock, limit, queue, healthWindow, healthQueue);
        }

        /** One health call per {@code window}, plus {@code queue} waiting for the next windows. */
        public Options withHealthRateLimit(Duration window, int queue) {
            return new Options(host, port, fee, token, clock, concurrencyLimit, concurrencyQueue, window, queue);
        }
    }

    /** A payment as the processor stored it: the amount rounded to cents, {@code requestedAt} as sent. */
    public record StoredPayment(UUID correlationId, BigDecimal amount, Instant requestedAt) {
    }

    /** The admin summary: count, sum, fee on the sum (rounded to cents) and the fee rate. */
    public record Summary(long totalRequests, BigDecimal totalAmount, BigDecimal totalFee, BigDecimal feePerTransaction) {
    }
}
