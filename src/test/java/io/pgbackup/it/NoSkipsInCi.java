package io.pgbackup.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Under {@code CI=true} a test that would be skipped (an assumption failed, e.g. "no server")
 * fails instead: CI must never be green because the real-server tests did not run. Registered
 * for every test through JUnit's extension auto-detection.
 */
public final class NoSkipsInCi implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static Throwable convert(Throwable t) {
        if (ci() && t instanceof TestAbortedException) {
            return new AssertionError("skipped under CI=true, which is not allowed: " + t.getMessage(), t);
        }
        return t;
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw convert(t);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw convert(t);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        throw convert(t);
    }
}
