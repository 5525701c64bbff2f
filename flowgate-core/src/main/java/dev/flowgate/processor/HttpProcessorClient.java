package dev.flowgate.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.intake.Amounts;
import dev.flowgate.intake.Payment;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** A processor that speaks the contest's protocol over HTTP/1.1 (see docs: rinha processor). */
public final class HttpProcessorClient implements ProcessorClient {
    /** Always three fraction digits, so what we send is exactly what we store (whole milliseconds). */
    static final DateTimeFormatter REQUESTED_AT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private final String name;
    private final URI paymentsUri;
    private final String lookupBase;
    private final HttpClient http;
    private final Duration timeout;
    private final JsonFactory json = new JsonFactory();

    public HttpProcessorClient(String name, URI baseUri, HttpClient http, Duration timeout) {
        this.name = name;
        String base = baseUri.toString().replaceAll("/+$", "");
        this.paymentsUri = URI.create(base + "/payments");
        this.lookupBase = base + "/payments/";
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SendOutcome send(Payment payment, Instant requestedAt) {
        String body = "{\"correlationId\":\"" + payment.correlationId()
                + "\",\"amount\":" + Amounts.toDecimal(payment.amountCents()).toPlainString()
                + ",\"requestedAt\":\"" + REQUESTED_AT.format(requestedAt) + "\"}";
        HttpRequest request = HttpRequest.newBuilder(paymentsUri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new SendOutcome.NotSent("cannot connect to " + name + ": " + e.getMessage());
        } catch (HttpTimeoutException e) {
            return new SendOutcome.Unknown("no answer from " + name + " within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new SendOutcome.Unknown("connection to " + name + " failed after sending: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SendOutcome.Unknown("interrupted while waiting for " + name);
        }
        int status = response.statusCode();
        return switch (status) {
            case 200, 201, 202, 204 -> new SendOutcome.Processed();
            case 422 -> new SendOutcome.AlreadyProcessed();
            case 429 -> new SendOutcome.RateLimited(retryAfter(response));
            case 500 -> new SendOutcome.Failed(status, name + " answered 500");
            default -> status >= 400 && status < 500
                    ? new SendOutcome.Rejected(status, name + " refused the request with " + status)
                    : new SendOutcome.Unknown(name + " answered an unexpected " + status);
        };
    }

    @Override
    public LookupOutcome lookup(UUID correlationId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(lookupBase + correlationId))
                .timeout(timeout)
                .GET()
                .build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return switch (response.statusCode()) {
                case 200 -> found(response.body());
                case 404 -> new LookupOutcome.NotFound();
                default -> new LookupOutcome.Unavailable(name + " answered " + response.statusCode());
            };
        } catch (IOException e) {
            return new LookupOutcome.Unavailable("cannot ask " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LookupOutcome.Unavailable("interrupted while asking " + name);
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
                    return new LookupOutcome.Found(Instant.parse(parser.getText()));
                }
                parser.skipChildren();
            }
            return new LookupOutcome.Unavailable(name + " answered a lookup without requestedAt");
        } catch (IOException | DateTimeParseException e) {
            return new LookupOutcome.Unavailable(name + " answered an unreadable lookup: " + e.getMessage());
        }
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After")
                .map(value -> {
                    try {
                        long seconds = Long.parseLong(value.trim());
                        return seconds >= 0 && seconds <= 3600 ? Duration.ofSeconds(seconds) : DEFAULT_RETRY_AFTER;
                    } catch (NumberFormatException e) {
                        return DEFAULT_RETRY_AFTER;
                    }
                })
                .orElse(DEFAULT_RETRY_AFTER);
    }
}
