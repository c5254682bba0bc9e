package io.pgbackup.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.Cancellation;
import io.pgbackup.repo.Catalog;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.storage.s3.S3ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code tick} across a simulated day of hourly wake-ups, and two ticks at once. */
class TickIT {
    static PgServer pg;
    static String db;

    @BeforeAll
    static void seed() throws Exception {
        pg = TestRig.get().postgres();
        db = pg.createDatabase("tick");
        pg.exec(db, "create table t(x int); insert into t select generate_series(1, 100)");
    }

    static Map<String, String> env(String bucket) {
        Map<String, String> env = BackupIT.env(bucket, db);
        env.put("BACKUP_CRON", "0 3 * * *");
        return env;
    }

    static List<Manifest> backups(String bucket) {
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            return new Catalog(store, new KeyLayout("prod/db1")).all();
        }
    }

    @Test
    void hourlyWakeUpsAcrossADayMakeExactlyOneBackupForTheThreeOClockSlot() throws Exception {
        String bucket = TestRig.get().s3().createBucket("tick-day");
        Instant start = Instant.parse("2026-11-26T23:10:00Z");
        int backedUp = 0;
        List<String> outs = new ArrayList<>();
        for (int hour = 0; hour < 25; hour++) {
            Clock clock = Clock.fixed(start.plus(Duration.ofHours(hour)), ZoneOffset.UTC);
            Cli.Result r = Cli.run(env(bucket), clock, new Cancellation(), "tick");
            assertThat(r.code()).as(r.err()).isZero();
            outs.add(r.out());
            if (r.out().contains("backed up for slot")) {
                backedUp++;
                assertThat(r.out()).contains("backed up for slot 2026-11-27T03:00:00Z");
                assertThat(clock.instant()).isEqualTo(Instant.parse("2026-11-27T03:10:00Z"));
            } else {
                assertThat(r.out()).contains("nothing due; next backup at");
            }
        }
        assertThat(backedUp).as(String.join("\n", outs)).isEqualTo(1);
        List<Manifest> all = backups(bucket);
        assertThat(all).hasSize(1);
        assertThat(all.get(0).trigger()).isEqualTo("scheduled");
        assertThat(all.get(0).slot()).isEqualTo(Instant.parse("2026-11-27T03:00:00Z"));
        // the next day's 03:00 slot is served by the next day's 03:xx wake-up
        Cli.Result nextDay = Cli.run(env(bucket), Clock.fixed(Instant.parse("2026-11-28T03:05:00Z"), ZoneOffset.UTC),
                new Cancellation(), "tick");
        assertThat(nextDay.out()).contains("backed up for slot 2026-11-28T03:00:00Z");
    }

    @Test
    void missedSlotsAreReportedNotReplayed() throws Exception {
        String bucket = TestRig.get().s3().createBucket("tick-missed");
        Cli.Result first = Cli.run(env(bucket), Clock.fixed(Instant.parse("2026-11-20T03:30:00Z"), ZoneOffset.UTC),
                new Cancellation(), "tick");
        assertThat(first.out()).contains("backed up for slot 2026-11-20T03:00:00Z");
        Cli.Result later = Cli.run(env(bucket), Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC),
                new Cancellation(), "tick");
        assertThat(later.code()).as(later.err()).isZero();
        assertThat(later.out()).contains("backed up for slot 2026-11-24T03:00:00Z")
                .contains("missed 3 earlier slot(s), not replayed; oldest 2026-11-21T03:00:00Z");
        assertThat(backups(bucket)).hasSize(2);
    }

    @Test
    void twoTicksStartedTogetherMakeOneBackup() throws Exception {
        String bucket = TestRig.get().s3().createBucket("tick-race");
        Clock clock = Clock.fixed(Instant.parse("2026-11-27T03:20:00Z"), ZoneOffset.UTC);
        CompletableFuture<Cli.Result> a = CompletableFuture.supplyAsync(() -> Cli.run(env(bucket), clock, new Cancellation(), "tick"));
        CompletableFuture<Cli.Result> b = CompletableFuture.supplyAsync(() -> Cli.run(env(bucket), clock, new Cancellation(), "tick"));
        Cli.Result ra = a.get();
        Cli.Result rb = b.get();
        assertThat(ra.code()).as(ra.err()).isZero();
        assertThat(rb.code()).as(rb.err()).isZero();
        assertThat(List.of(ra.out(), rb.out())).filteredOn(o -> o.contains("backed up for slot")).hasSize(1);
        assertThat(backups(bucket)).hasSize(1);
    }

    @Test
    void checkOnlyDecidesDueIsTwelveNothingDueIsZeroAndNothingIsWritten() throws Exception {
        String bucket = TestRig.get().s3().createBucket("tick-check");
        Map<String, String> env = env(bucket);
        Clock at0305 = Clock.fixed(Instant.parse("2026-11-27T03:05:00Z"), ZoneOffset.UTC);
        Cli.Result due = Cli.run(env, at0305, new Cancellation(), "tick", "--check");
        assertThat(due.code()).as(due.err()).isEqualTo(12);
        assertThat(due.out()).contains("a backup is due");
        try (S3ObjectStore store = BackupIT.store(bucket)) {
            assertThat(store.list("")).as("--check takes no lock and stores nothing").isEmpty();
        }
        assertThat(Cli.run(env, at0305, new Cancellation(), "tick").code()).isZero(); // the real one backs up
        assertThat(backups(bucket)).hasSize(1);
        Cli.Result nothing = Cli.run(env, Clock.fixed(Instant.parse("2026-11-27T04:05:00Z"), ZoneOffset.UTC),
                new Cancellation(), "tick", "--check");
        assertThat(nothing.code()).as(nothing.err()).isZero();
        assertThat(nothing.out()).contains("nothing due; next backup at 2026-11-28T03:00:00Z");
    }

    @Test
    void tickWithoutACronIsAUsageError() {
        Map<String, String> env = BackupIT.env("whatever", db);
        Cli.Result r = Cli.run(env, "tick");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("BACKUP_CRON");
    }

    @Test
    void nothingDueIsDecidedWithoutTouchingTheDatabase() throws Exception {
        String bucket = TestRig.get().s3().createBucket("tick-fast");
        Map<String, String> env = env(bucket);
        Cli.Result first = Cli.run(env, Clock.fixed(Instant.parse("2026-11-27T03:05:00Z"), ZoneOffset.UTC),
                new Cancellation(), "tick");
        assertThat(first.code()).as(first.err()).isZero();
        // Point PG_URI at a port where nothing listens: a "nothing due" tick must not need it.
        env.put("PG_URI", "postgres://u:pw@127.0.0.1:1/none");
        Cli.Result again = Cli.run(env, Clock.fixed(Instant.parse("2026-11-27T04:05:00Z"), ZoneOffset.UTC),
                new Cancellation(), "tick");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("nothing due; next backup at 2026-11-28T03:00:00Z");
    }
}
