package dev.flowgate;

import java.math.BigDecimal;
import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A payment processor Flowgate may send payments to. Processors are tried in the order configured.
 *
 * @param name    how the ledger and the summary name it, e.g. "default"
 * @param baseUri where it listens, e.g. {@code http://127.0.0.1:8001}
 * @param fee     its fee as a fraction of the amount, in [0, 1), e.g. 0.05
 */
public record ProcessorConfig(String name, URI baseUri, BigDecimal fee) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public ProcessorConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(fee, "fee");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("processor name must be 1-32 lowercase letters, digits, '-' or '_', "
                    + "starting with a letter: '" + name + "'");
        }
        if (!("http".equals(baseUri.getScheme()) || "https".equals(baseUri.getScheme())) || baseUri.getHost() == null) {
            throw new IllegalArgumentException("processor '" + name + "' needs an http(s) URL with a host: " + baseUri);
        }
        if (fee.signum() < 0 || fee.compareTo(BigDecimal.ONE) >= 0) {
            throw new IllegalArgumentException("processor '" + name + "' fee must be in [0, 1): " + fee);
        }
    }
}
