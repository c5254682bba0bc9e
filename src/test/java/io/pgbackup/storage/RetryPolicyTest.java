package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The retry policy on a fake clock: what is retried, how long it waits, when it gives up. */
class RetryPolicyTest {
    static final class Transient extends IOException {
        Transient(String m) {
            super(m);
        }
    }

    final AtomicLong now = new AtomicLong();
    final List<Duration> waits = new ArrayList<>();

    RetryPolicy policy(Duration budget) {
        return new RetryPolicy(budget, Duration.ofMillis(200), Duration.ofSeconds(10), t -> t instanceof Transient,
                d -> {
                    waits.add(d);
                    now.addAndGet(d.toNanos());
                }, now::get);
    }

    @Test
    void transientFailuresAreRetriedUntilTheCallSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String r = policy(Duration.ofMinutes(5)).call("upload of part 1", () -> {
            if (calls.incrementAndGet() < 4) {
                throw new Transient("503 SlowDown");
            }
            return "ok";
        });
        assertThat(r).isEqualTo("ok");
        assertThat(calls).hasValue(4);
        assertThat(waits).hasSize(3);
    }

    @Test
    void waitsGrowExponentiallyWithJitterAndAreCapped() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        policy(Duration.ofHours(1)).call("x", () -> {
            if (calls.incrementAndGet() < 12) {
                throw new Transient("reset");
            }
            return null;
        });
        // equal jitter: between half and all of 200 ms, 400 ms, 800 ms ... capped at 10 s
        for (int i = 0; i < waits.size(); i++) {
            long full = Math.min(10_000, 200L << i);
            assertThat(waits.get(i).toMillis()).as("wait " + i).isBetween(full / 2, full);
        }
    }

    @Test
    void permanentFailuresAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> policy(Duration.ofMinutes(5)).call("put", () -> {
            calls.incrementAndGet();
            throw new IOException("403 AccessDenied");
        })).hasMessage("403 AccessDenied");
        assertThat(calls).hasValue(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void theBudgetBoundsTheTotalTimeAndTheMessageSaysSo() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> policy(Duration.ofSeconds(30)).call("upload of part 3 of k", () -> {
            calls.incrementAndGet();
            throw new Transient("503 SlowDown");
        })).isInstanceOf(IOException.class)
                .hasMessageContaining("upload of part 3 of k failed")
                .hasMessageContaining("giving up (S3_RETRY_FOR=30s)")
                .hasMessageContaining("503 SlowDown");
        assertThat(Duration.ofNanos(now.get())).isLessThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(calls.get()).isGreaterThan(5);
    }

    @Test
    void anInterruptedThreadStopsRetrying() {
        AtomicInteger calls = new AtomicInteger();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> policy(Duration.ofMinutes(5)).call("x", () -> {
                calls.incrementAndGet();
                throw new Transient("reset");
            })).isInstanceOf(Transient.class);
            assertThat(calls).hasValue(1);
        } finally {
            Thread.interrupted();
        }
        assertThatThrownBy(() -> policy(Duration.ofMinutes(5)).call("y", () -> {
            throw new InterruptedIOException("stopped");
        })).isInstanceOf(InterruptedIOException.class);
    }

    @Test
    void aSocketTimeoutIsTransientNotAnInterrupt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy p = new RetryPolicy(Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(10),
                t -> t instanceof java.net.SocketTimeoutException, d -> { }, now::get);
        p.call("read", () -> {
            if (calls.incrementAndGet() == 1) {
                throw new java.net.SocketTimeoutException("Read timed out");
            }
            return null;
        });
        assertThat(calls).hasValue(2);
    }
}
