package dev.flowgate;

import java.math.BigDecimal;
import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A payment processor Flowgate may send payments to. Among processors of equal (or unknown) fee,
 * the one configured first is preferred.
 *
 * @param name    how the ledger and the summary name it, e.g. "default"
 * @param baseUri where it listens, e.g. {@code http://127.0.0.1:8001}
 * @param fee     its fee as a fraction of the amount, in [0, 1), e.g. 0.05; or null when not known,
 *                which the router never takes for free (see CostRouter)
 */
public record ProcessorConfig(String name, URI baseUri, BigDecimal fee) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    /** The URL as logs may show it: credentials in it are replaced by {@code ***}. */
    public String displayUri() {
        return masked(baseUri);
    }

    @Override
    public String toString() {
        return "ProcessorConfig[" + name + "=" + displayUri() + ", fee " + (fee == null ? "unknown" : fee.toPlainString()) + "]";
    }

    private static String masked(URI uri) {
        String text = uri.toString();
        return uri.getRawUserInfo() == null ? text : text.replace(uri.getRawUserInfo() + "@", "***@");
    }

    public ProcessorConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUri, "baseUri");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("processor name must be 1-32 lowercase letters, digits, '-' or '_', "
                    + "starting with a letter: '" + name + "'");
        }
        if (!("http".equals(baseUri.getScheme()) || "https".equals(baseUri.getScheme())) || baseUri.getHost() == null) {
            throw new IllegalArgumentException("processor '" + name + "' needs an http(s) URL with a host: "
                    + masked(baseUri));
        }
        if (baseUri.getRawQuery() != null || baseUri.getRawFragment() != null) {
            throw new IllegalArgumentException("processor '" + name + "' URL cannot have a query or a fragment: "
                    + "paths such as /payments are appended to it: " + masked(baseUri));
        }
        if (fee != null && (fee.signum() < 0 || fee.compareTo(BigDecimal.ONE) >= 0)) {
            throw new IllegalArgumentException("processor '" + name + "' fee must be in [0, 1): " + fee);
        }
    }
}
