package dev.flowgate.intake;

import dev.flowgate.http.Problem;
import dev.flowgate.payment.Payment;

/** The outcome of reading a payment request: a valid payment, or the problem that makes it invalid. */
public sealed interface ParseResult {
    record Valid(Payment payment) implements ParseResult {
    }

    record Invalid(Problem problem) implements ParseResult {
    }
}
