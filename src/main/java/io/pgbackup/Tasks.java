package io.pgbackup;

import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/** What a task that ran on another thread failed with, rethrown as it was. */
public final class Tasks {
    private Tasks() {}

    /**
     * The failure of a task: an unchecked exception is rethrown unchanged, one of {@code type}
     * returned as it is, anything else (an Error too) returned wrapped by {@code wrap}.
     */
    public static <X extends Exception> X failure(ExecutionException e, Class<X> type, Function<Throwable, X> wrap) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException re) {
            throw re;
        }
        return type.isInstance(c) ? type.cast(c) : wrap.apply(c);
    }
}
