package dev.flowgate.store;

/** The store could not do what was asked (disk full, database closed, corrupt file). */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
