package dev.flowgate.server.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may call the admin endpoints (purge, retry). Without a token only clients on this machine
 * may, so a server started with the defaults is not open to its network by accident.
 */
public sealed interface AdminAccess {
    /** Anyone may: chosen on purpose ({@code --admin open}), as contest deployments need. */
    record Open() implements AdminAccess {
    }

    /** Only loopback peers may; the default when no token is configured. */
    record LoopbackOnly() implements AdminAccess {
    }

    /** Whoever sends this token in {@code X-Admin-Token} may, from anywhere. */
    record Token(String token) implements AdminAccess {
        public Token {
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("an admin token must not be empty");
            }
        }

        /** Compares in constant time, so the answer's timing tells nothing about the token. */
        boolean matches(String given) {
            return given != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                    given.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Token[***]";
        }
    }
}
