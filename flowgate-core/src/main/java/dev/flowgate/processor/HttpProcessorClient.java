package dev.flowgate.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.http.client.ConnectFailedException;
import dev.flowgate.http.client.HttpClient;
import dev.flowgate.http.client.HttpHeader;
import dev.flowgate.http.client.HttpRequest;
import dev.flowgate.http.client.HttpResponse;
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
import java.util.List;
import java.util.UUID;

/**
 * A processor that speaks the contest's protocol ({@code POST /payments}, {@code GET /payments/{id}})
 * through the engine's {@link HttpClient}. Blocking: call it from virtual threads.
 *
 * <p>The outcome classes hinge on one distinction: a failure to connect means nothing was sent
 * ({@link SendOutcome.NotSent}); any failure after the request was written may have reached the
 * processor ({@link SendOutcome.Unknown}).
 */
public final class HttpProcessorClient implements ProcessorClient {
    /** Always three fraction digits, so what we send is exactly what we store (whole milliseconds). */
    static final DateTimeFormatter REQUESTED_AT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private static final List<HttpHeader> JSON_BODY = List.of(new HttpHeader("Content-Type", "application/json"));

    private final String name;
    private final String base;
    private final URI paymentsUri;
    private final URI healthUri;
    private final HttpClient http;
    private final Duration timeout;
    private final JsonFactory json = new JsonFactory();

    /**
     * @param http the engine's client, shared (and closed) by its owner
     * @param timeout how long a payment or a lookup may take to be answered
     */
    public HttpProcessorClient(String name, URI baseUri, HttpClient http, Duration timeout) {
        this.name = name;
        this.base = baseUri.toString().replaceAll("/+$", "");
        this.paymentsUri = URI.create(base + "/payments");
        this.healthUri = URI.create(base + "/payments/service-health");
        this.http = http;
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
        HttpResponse response;
        try {
            response = http.send(new HttpRequest("POST", paymentsUri, JSON_BODY, body, timeout));
        } catch (ConnectFailedException e) {
            return new SendOutcome.NotSent(name + ": " + e.getMessage());
        } catch (SocketTimeoutException e) {
            return new SendOutcome.Unknown("no answer from " + name + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new SendOutcome.Unknown("connection to " + name + " failed after sending: " + e.getMessage());
        }
        return classify(response);
    }

    private SendOutcome classify(HttpResponse response) {
        int status = response.status();
        return switch (status) {
            case 200, 201, 202, 204 -> new SendOutcome.Processed();
            case 422 -> new SendOutcome.AlreadyProcessed();
            case 429 -> new SendOutcome.RateLimited(retryAfter(response.header("Retry-After")));
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
            URI uri = URI.create(base + "/payments/" + correlationId);
            HttpResponse response = http.send(new HttpRequest("GET", uri, List.of(), null, timeout));
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
            HttpResponse response = http.send(new HttpRequest("GET", healthUri, List.of(), null, healthTimeout));
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
}
