package dev.flowgate.testkit.load;

/**
 * The run's clock, in nanoseconds with an arbitrary origin like {@link System#nanoTime()}. Injected
 * so that the pacing decisions can be checked without sleeping.
 */
@FunctionalInterface
public interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    long read();
}
