package io.pgbackup.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.Cancellation;
import io.pgbackup.ExitCode;
import io.pgbackup.PgBackupException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NotifierTest {
    /** Records events; optionally sleeps, blocks or throws on them. */
    static final class Probe implements Channel {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<RunInfo> runs = new CopyOnWriteArrayList<>();
        final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        long sleepMs;
        boolean fail;
        CountDownLatch block;

        @Override
        public boolean wants(Kind kind) {
            return kind == Kind.BACKUP;
        }

        @Override
        public void started(RunInfo run) throws IOException {
            act();
            runs.add(run);
            events.add("start");
        }

        @Override
        public void finished(RunInfo run, Outcome o) throws IOException {
            act();
            runs.add(run);
            outcomes.add(o);
            events.add(o.exit().success() ? "success" : "failure");
        }

        private void act() throws IOException {
            try {
                if (sleepMs > 0) {
                    Thread.sleep(sleepMs);
                }
                if (block != null) {
                    block.await(1, TimeUnit.MINUTES);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) {
                throw new IOException("http://receiver:1 answered 500");
            }
        }

        @Override
        public String describe() {
            return "probe";
        }
    }

    static Outcome ok() {
        return Outcome.success(Instant.now(), "fine").with(new Outcome.Backup("s", List.of(), "db", null, null));
    }

    static Notifier notifier(Duration bound, Channel... cs) {
        return new Notifier(List.of(cs), bound, Clock.systemUTC(), "host1");
    }

    @Test
    void startThenEndWithOneCanonicalRunId() {
        Probe p = new Probe();
        Notifier n = notifier(Duration.ofSeconds(5), p);
        try (Notifier.Run run = n.begin(Kind.BACKUP, "backup", "s3://b", "pre", "db", null)) {
            run.succeeded(ok());
        }
        assertThat(p.events).containsExactly("start", "success");
        String rid = p.runs.get(0).runId();
        assertThat(rid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(p.runs).extracting(RunInfo::runId).containsOnly(rid);
        assertThat(p.runs.get(0).host()).isEqualTo("host1");
        assertThat(p.runs.get(0).database()).isEqualTo("db");
    }

    @Test
    void channelsNotWantingAKindHearNothing() {
        Probe p = new Probe();
        try (Notifier.Run run = notifier(Duration.ofSeconds(5), p).begin(Kind.DRILL, "drill", "s", "", "", null)) {
            run.succeeded(ok());
        }
        assertThat(p.events).isEmpty();
    }

    @Test
    void aFailingChannelIsCountedAndNeverThrows() {
        Probe bad = new Probe();
        bad.fail = true;
        Probe good = new Probe();
        long before = Notifier.FAILURES.get();
        try (Notifier.Run run = notifier(Duration.ofSeconds(5), bad, good).begin(Kind.BACKUP, "backup", "s", "", "", null)) {
            run.succeeded(ok());
        }
        assertThat(Notifier.FAILURES.get() - before).isEqualTo(2); // its start and its end
        assertThat(good.events).containsExactly("start", "success");
    }

    @Test
    void sendsRunInParallelAndARunWaitsAtMostTheBound() {
        Probe slow1 = new Probe();
        slow1.sleepMs = 600;
        Probe slow2 = new Probe();
        slow2.sleepMs = 600;
        long t0 = System.nanoTime();
        try (Notifier.Run run = notifier(Duration.ofSeconds(10), slow1, slow2).begin(Kind.BACKUP, "b", "s", "", "", null)) {
            run.succeeded(ok());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // in series it would be 4 x 600 ms; in parallel a start then an end per channel
        assertThat(ms).isLessThan(2000);
        assertThat(slow1.events).containsExactly("start", "success");

        Probe stuck = new Probe();
        stuck.block = new CountDownLatch(1);
        t0 = System.nanoTime();
        try (Notifier.Run run = notifier(Duration.ofMillis(500), stuck).begin(Kind.BACKUP, "b", "s", "", "", null)) {
            run.succeeded(ok());
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
        stuck.block.countDown();
    }

    @Test
    void aStopSendsTheFailureAtOnceAndTheEndOnlyOnce() throws Exception {
        Probe p = new Probe();
        Cancellation c = new Cancellation();
        try (Notifier.Run run = notifier(Duration.ofSeconds(5), p).begin(Kind.BACKUP, "backup", "s", "", "", c)) {
            c.cancel("SIGTERM", ExitCode.INTERRUPTED);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (p.events.size() < 2 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(p.events).as("sent before the job returned").containsExactly("start", "failure");
            assertThat(p.outcomes.get(0).exit().code()).isEqualTo(130);
            assertThat(p.outcomes.get(0).exit().error()).contains("interrupted by SIGTERM");
            run.failed(new PgBackupException(ExitCode.INTERRUPTED, "interrupted by SIGTERM"));
        }
        assertThat(p.events).containsExactly("start", "failure");
    }

    @Test
    void failuresCarryTheExitCodeNameAndOneErrorLine() {
        Probe p = new Probe();
        try (Notifier.Run run = notifier(Duration.ofSeconds(5), p).begin(Kind.BACKUP, "backup", "s", "", "", null)) {
            run.failed(new PgBackupException(ExitCode.DATABASE, "cannot connect\nFATAL: password authentication failed"));
        }
        Outcome o = p.outcomes.get(0);
        assertThat(o.exit().code()).isEqualTo(ExitCode.DATABASE.code());
        assertThat(o.exit().name()).isEqualTo("DATABASE");
        assertThat(o.exit().error()).isEqualTo("pgbackup: error: cannot connect | FATAL: password authentication failed");
    }

    @Test
    void aRunThatFailedBeforeItBeganSendsOnlyTheFailure() {
        Probe p = new Probe();
        notifier(Duration.ofSeconds(5), p).failedBeforeStart(Kind.BACKUP, "tick", "s", "", "db",
                new PgBackupException(ExitCode.STORAGE, "store down"));
        assertThat(p.events).containsExactly("failure");
    }

    @Test
    void httpRetriesServerErrorsNotClientErrorsAndNamesOnlyTheHost() throws Exception {
        try (Receiver rx = new Receiver().status(500)) {
            Http http = new Http(Duration.ofSeconds(2));
            assertThatThrownBy(() -> http.send("POST", rx.url("/ping/SECRET-TOKEN"), new byte[0], Map.of()))
                    .isInstanceOf(IOException.class).hasMessage(Http.host(rx.url("/")) + " answered 500")
                    .hasMessageNotContaining("SECRET");
            assertThat(rx.requests()).hasSize(3);
        }
        try (Receiver rx = new Receiver().status(404)) {
            Http http = new Http(Duration.ofSeconds(2));
            assertThatThrownBy(() -> http.send("POST", rx.url("/x"), new byte[0], Map.of())).hasMessageEndingWith("answered 404");
            assertThat(rx.requests()).hasSize(1);
        }
    }

    @Test
    void httpGivesUpOnAReceiverThatNeverAnswersWithinItsBound() throws Exception {
        try (Receiver rx = new Receiver().hang()) {
            Http http = new Http(Duration.ofSeconds(1));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> http.send("POST", rx.url("/hook/SECRET"), new byte[0], Map.of()))
                    .hasMessageContaining("did not answer within 1 s").hasMessageNotContaining("SECRET");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).isLessThan(http.bound()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        }
    }

    @Test
    void aRefusedConnectionIsRetriedThenReportedWithTheHost() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Http http = new Http(Duration.ofSeconds(1));
        java.net.URI u = java.net.URI.create("http://127.0.0.1:" + port + "/ping/SECRET");
        assertThatThrownBy(() -> http.send("POST", u, new byte[0], Map.of())).hasMessageStartingWith("http://127.0.0.1:" + port)
                .hasMessageNotContaining("SECRET");
    }
}
