package io.pgbackup.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetentionGuardTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    static Plan keepLastOne(int backups) {
        List<BackupRef> refs = new ArrayList<>();
        for (int i = 0; i < backups; i++) {
            refs.add(BackupRef.of(String.format("2026/12/%02d/03-00-00", 6 - i), NOW.minusSeconds(3600L * 24 * i + 32400)));
        }
        return RetentionPlanner.plan(refs, new RetentionPolicy(1, null, 0, 0, 0, 0, 0, 1, false, ZoneOffset.UTC), NOW);
    }

    @Test
    void theNewestDrilledBackupsStayWhateverThePolicySays() {
        Plan plan = keepLastOne(5);
        assertThat(plan.keep()).hasSize(1);
        Plan guarded = RetentionGuard.keepDrilled(plan, Set.of("2026/12/04/03-00-00", "2026/12/02/03-00-00"), 1);
        assertThat(guarded.keep()).extracting(d -> d.backup().stem()).containsExactly("2026/12/06/03-00-00",
                "2026/12/04/03-00-00");
        assertThat(guarded.keep().get(1).reasons()).containsExactly("one of the newest 1 backup(s) with a passed drill");
        assertThat(RetentionGuard.keepDrilled(plan, Set.of("2026/12/04/03-00-00", "2026/12/02/03-00-00"), 2).keep())
                .hasSize(3);
        assertThat(RetentionGuard.keepDrilled(plan, Set.of("2026/12/04/03-00-00"), 0)).as("0: off").isEqualTo(plan);
    }

    @Test
    void aKeptDrilledBackupGetsTheReasonAddedToItsOwn() {
        Plan plan = keepLastOne(3);
        Plan guarded = RetentionGuard.keepDrilled(plan, Set.of("2026/12/06/03-00-00"), 1);
        assertThat(guarded.keep().get(0).reasons()).containsExactly("keep-last 1", "min-keep 1",
                "one of the newest 1 backup(s) with a passed drill");
        assertThat(guarded.delete()).hasSize(2);
    }
}
