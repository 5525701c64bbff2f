package dev.flowgate.work;

/** Does one attempt at an item of work; runs on a worker's virtual thread and may block. */
@FunctionalInterface
public interface Handler<T> {
    Disposition<T> handle(T item);
}
