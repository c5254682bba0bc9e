package io.pgbackup.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** status against what the bucket really does: a lock that is not there, a lock nobody expects, deleted backups. */
class ProtectionCheckTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    static Facts.Protection p(String expected, String versioning, boolean lock, String defaultMode, List<Facts.Hidden> hidden) {
        return new Facts.Protection(expected, Duration.ofDays(30), null, versioning, lock, defaultMode,
                defaultMode == null ? null : Duration.ofDays(7), 2048, 3, hidden);
    }

    static Facts.Backup backup(String stem, Instant t) {
        return new Facts.Backup(stem, null, "scheduled", t, t, t.plusSeconds(60), 60_000, Map.of("custom", 1000L),
                10_000, 10L, List.of("public.t"), "app");
    }

    @Test
    void aLockThatIsThereIsOkAndNamesWhatItDoes() {
        Status.Check c = Health.objectLock(p("compliance", "Enabled", true, null, List.of()));
        assertThat(c.verdict()).isEqualTo(Verdict.OK);
        assertThat(c.detail()).contains("compliance for 30d on every object").contains("Object Lock on")
                .contains("3 noncurrent version(s) hold 2.0 KiB");
    }

    @Test
    void aLockThatIsNotThereFails() {
        Status.Check c = Health.objectLock(p("governance", null, false, null, List.of()));
        assertThat(c.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(c.detail()).contains("versioning off, Object Lock off").contains("the locks are not there");
        assertThat(Health.objectLock(p("governance", "Enabled", false, null, List.of())).verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void aDefaultRetentionNobodyConfiguredFails() {
        Status.Check c = Health.objectLock(p("off", "Enabled", true, "governance", List.of()));
        assertThat(c.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(c.detail()).contains("default retention governance 7d").contains("S3_OBJECT_LOCK is off");
        assertThat(Health.objectLock(p("off", "Enabled", false, null, List.of())).verdict()).as("versioned, no lock")
                .isEqualTo(Verdict.OK);
    }

    @Test
    void deletedBackupsNewerThanEveryBackupLeftFailWithTheTimeToReadAsOf() {
        Instant kept = NOW.minus(Duration.ofDays(3));
        Facts.Hidden newer = new Facts.Hidden("2026/12/05/03-00-00", NOW.minusSeconds(600));
        Facts.Hidden older = new Facts.Hidden("2026/11/01/03-00-00", NOW.minus(Duration.ofDays(20)));
        Health.Input in = new Health.Input(List.of(backup("2026/12/03/12-00-00", kept)), List.of(), List.of(), 0, null, NOW,
                p("compliance", "Enabled", true, null, List.of(newer, older)));
        Status.Check c = Health.deleted(in);
        assertThat(c.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(c.detail()).contains("1 backup(s) newer than every backup left were deleted").contains("not by prune")
                .contains("--as-of 2026-12-06T11:49:59Z");
        Health.Input pruned = new Health.Input(List.of(backup("2026/12/03/12-00-00", kept)), List.of(), List.of(), 0, null,
                NOW, p("compliance", "Enabled", true, null, List.of(older)));
        assertThat(Health.deleted(pruned).verdict()).as("what prune deleted is no alarm").isEqualTo(Verdict.OK);
        assertThat(Health.evaluate(in, new StatusPolicy(null, StatusPolicy.DEFAULT_GRACE, Duration.ofDays(7), null, 7, 0.5,
                false)).healthy()).isFalse();
    }
}
