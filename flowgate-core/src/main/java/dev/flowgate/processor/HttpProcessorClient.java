package dev.flowgate.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.payment.Amounts;
import dev.flowgate.payment.Payment;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.UUID;

/**
 * A processor that speaks the contest's protocol ({@code POST /payments}, {@code GET /payments/{id}})
 * over pooled keep-alive HTTP/1.1 connections. Blocking: call it from virtual threads.
 *
 * <p>The outcome classes hinge on one distinction: a failure to connect means nothing was sent
 * ({@link SendOutcome.NotSent}); any failure after the request was written may have reached the
 * processor ({@link SendOutcome.Unknown}).
 */
public final class HttpProcessorClient implements ProcessorClient, AutoCloseable {
    /** Always three fraction digits, so what we send is exactly what we store (whole milliseconds). */
    static final DateTimeFormatter REQUESTED_AT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private final String name;
    private final String basePath;
    private final ConnectionPool pool;
    private final Duration timeout;
    private final JsonFactory json = new JsonFactory();

    public HttpProcessorClient(String name, URI baseUri, Duration connectTimeout, Duration timeout) {
        this.name = name;
        String path = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
        this.basePath = path.replaceAll("/+$", "");
        this.pool = new ConnectionPool(baseUri, (int) connectTimeout.toMillis());
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SendOutcome send(Payment payment, Instant requestedAt) {
        byte[] body = ("{\"correlationId\":\"" + payment.correlationId()
                + "\",\"amount\":" + Amounts.toDecimal(payment.amountCents()).toPlainString()
                + ",\"requestedAt\":\"" + REQUESTED_AT.format(requestedAt) + "\"}").getBytes(StandardCharsets.ISO_8859_1);
        RawResponse response;
        try {
            response = exchange("POST", basePath + "/payments", body);
        } catch (ProcessorConnection.ConnectFailedException e) {
            return new SendOutcome.NotSent(name + ": " + e.getMessage());
        } catch (SocketTimeoutException e) {
            return new SendOutcome.Unknown("no answer from " + name + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new SendOutcome.Unknown("connection to " + name + " failed after sending: " + e.getMessage());
        }
        return classify(response);
    }

    private SendOutcome classify(RawResponse response) {
        int status = response.status();
        return switch (status) {
            case 200, 201, 202, 204 -> new SendOutcome.Processed();
            case 422 -> new SendOutcome.AlreadyProcessed();
            case 429 -> new SendOutcome.RateLimited(retryAfter(response.retryAfter()));
            // The contest's processor answers 500 when failing, before storing. Any other 5xx may be a
            // gateway's, sent after it passed the request on (Envoy's 503 on an upstream reset,
            // Cloudflare's 524): it may be stored, so it pins like a timeout.
            case 500, 501 -> new SendOutcome.Failed(status, name + " answered " + status + " and stored nothing");
            default -> status >= 400 && status < 500
                    ? new SendOutcome.Failed(status, name + " answered " + status + " and stored nothing")
                    : new SendOutcome.Unknown(name + " answered " + status + ": it may have been stored");
        };
    }

    @Override
    public LookupOutcome lookup(UUID correlationId) {
        try {
            RawResponse response = exchange("GET", basePath + "/payments/" + correlationId, null);
            return switch (response.status()) {
                case 200 -> found(response.body());
                case 404 -> new LookupOutcome.NotFound();
                default -> new LookupOutcome.Unavailable(name + " answered " + response.status());
            };
        } catch (IOException e) {
            return new LookupOutcome.Unavailable("cannot ask " + name + ": " + e.getMessage());
        }
    }

    @Override
    public HealthOutcome health(Duration healthTimeout) {
        try {
            RawResponse response = exchange("GET", basePath + "/payments/service-health", null, healthTimeout);
            if (response.status() != 200) {
                return new HealthOutcome.Unknown(name + " health answered " + response.status());
            }
            return readHealth(response.body());
        } catch (IOException e) {
            return new HealthOutcome.Unknown("cannot ask " + name + " for its health: " + e.getMessage());
        }
    }

    private HealthOutcome readHealth(byte[] body) {
        Boolean failing = null;
        Long minResponseTime = null;
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new HealthOutcome.Unknown(name + " health is not an object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("failing") && value.isBoolean()) {
                    failing = parser.getBooleanValue();
                } else if (field.equals("minResponseTime") && value == JsonToken.VALUE_NUMBER_INT) {
                    minResponseTime = parser.getLongValue();
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            return new HealthOutcome.Unknown(name + " health is unreadable: " + e.getMessage());
        }
        if (failing == null || minResponseTime == null || minResponseTime < 0) {
            return new HealthOutcome.Unknown(name + " health lacks failing or minResponseTime");
        }
        return new HealthOutcome.Reported(failing, Duration.ofMillis(minResponseTime));
    }

    private RawResponse exchange(String method, String path, byte[] body) throws IOException {
        return exchange(method, path, body, timeout);
    }

    private RawResponse exchange(String method, String path, byte[] body, Duration callTimeout) throws IOException {
        StringBuilder head = new StringBuilder(160).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: ").append(pool.hostHeader());
        if (body != null) {
            head.append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length);
        }
        byte[] headBytes = head.append("\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = headBytes;
        if (body != null) {
            request = new byte[headBytes.length + body.length];
            System.arraycopy(headBytes, 0, request, 0, headBytes.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
        }
        ProcessorConnection connection = pool.acquire();
        try {
            RawResponse response = connection.exchange(request, System.nanoTime() + callTimeout.toNanos());
            pool.release(connection);
            return response;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private LookupOutcome found(byte[] body) {
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new LookupOutcome.Unavailable(name + " answered a lookup with a non-object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("requestedAt") && parser.currentToken() == JsonToken.VALUE_STRING) {
                    return new LookupOutcome.Found(instant(parser.getText()));
                }
                parser.skipChildren();
            }
            return new LookupOutcome.Unavailable(name + " answered a lookup without requestedAt");
        } catch (IOException | DateTimeParseException e) {
            return new LookupOutcome.Unavailable(name + " answered an unreadable lookup: " + e.getMessage());
        }
    }

    /**
     * The contest's processor writes {@code requestedAt} as a .NET {@code DateTime} without an
     * offset ({@code 2025-07-15T12:34:56.789}, up to six fraction digits, none on a whole second),
     * meaning UTC; other processors may add {@code Z} or an offset.
     */
    static Instant instant(String text) {
        TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from, LocalDateTime::from);
        return parsed instanceof ZonedDateTime zoned ? zoned.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
    }

    private static Duration retryAfter(String value) {
        if (value == null) {
            return DEFAULT_RETRY_AFTER;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds >= 0 && seconds <= 3600 ? Duration.ofSeconds(seconds) : DEFAULT_RETRY_AFTER;
        } catch (NumberFormatException e) {
            return DEFAULT_RETRY_AFTER;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
