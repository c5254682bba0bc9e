package io.pgbackup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetentionPlannerTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    private static BackupRef backup(String startedAt) {
        Instant t = Instant.parse(startedAt);
        return BackupRef.of(GoldenCase.STEM.format(t), t);
    }

    private static RetentionPolicy keepLast(int n) {
        return new RetentionPolicy(n, null, 0, 0, 0, 0, 0, 1, false, UTC);
    }

    /**
     * The kept part of the 400-day GFS case, derived by hand, not by the planner:
     * the series runs every 6h (00, 06, 12, 18 UTC) and ends 2026-11-27T06:00Z, a Friday in
     * ISO week 2026-W48 (Mon 11-23 .. Sun 11-29).
     * <ul>
     *   <li>daily 7: 11-27 06:00 (newest that day), then 18:00 of 11-26 back to 11-21;</li>
     *   <li>weekly 4: W48 -> 11-27 06:00, W47 -> Sun 11-22 18:00, W46 -> Sun 11-15 18:00,
     *       W45 -> Sun 11-08 18:00;</li>
     *   <li>monthly 12: 11-27 06:00, then the last day 18:00 of 2026-10 back to 2025-12
     *       (2026 is not a leap year: 02-28);</li>
     *   <li>min-keep 1: 11-27 06:00.</li>
     * </ul>
     * 7 + 2 extra weeklies + 11 extra monthlies = 20 kept of 1600.
     */
    private static Map<String, List<String>> handDerivedKeeps() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("2026/11/27/06-00-00", List.of("daily 2026-11-27", "weekly 2026-W48", "monthly 2026-11", "min-keep 1"));
        m.put("2026/11/26/18-00-00", List.of("daily 2026-11-26"));
        m.put("2026/11/25/18-00-00", List.of("daily 2026-11-25"));
        m.put("2026/11/24/18-00-00", List.of("daily 2026-11-24"));
        m.put("2026/11/23/18-00-00", List.of("daily 2026-11-23"));
        m.put("2026/11/22/18-00-00", List.of("daily 2026-11-22", "weekly 2026-W47"));
        m.put("2026/11/21/18-00-00", List.of("daily 2026-11-21"));
        m.put("2026/11/15/18-00-00", List.of("weekly 2026-W46"));
        m.put("2026/11/08/18-00-00", List.of("weekly 2026-W45"));
        m.put("2026/10/31/18-00-00", List.of("monthly 2026-10"));
        m.put("2026/09/30/18-00-00", List.of("monthly 2026-09"));
        m.put("2026/08/31/18-00-00", List.of("monthly 2026-08"));
        m.put("2026/07/31/18-00-00", List.of("monthly 2026-07"));
        m.put("2026/06/30/18-00-00", List.of("monthly 2026-06"));
        m.put("2026/05/31/18-00-00", List.of("monthly 2026-05"));
        m.put("2026/04/30/18-00-00", List.of("monthly 2026-04"));
        m.put("2026/03/31/18-00-00", List.of("monthly 2026-03"));
        m.put("2026/02/28/18-00-00", List.of("monthly 2026-02"));
        m.put("2026/01/31/18-00-00", List.of("monthly 2026-01"));
        m.put("2025/12/31/18-00-00", List.of("monthly 2025-12"));
        return m;
    }

    private static final String BIG_CASE = "03-gfs-daily7-weekly4-monthly12-400d.json";

    @Test
    void bigGfsCaseMatchesHandDerivedKeeps() {
        GoldenCase c = GoldenCase.load(BIG_CASE);
        assertThat(c.backups()).hasSize(1600);
        assertThat(c.backups().get(0).stem()).isEqualTo("2025/10/23/12-00-00");
        assertThat(c.backups().get(1599).stem()).isEqualTo("2026/11/27/06-00-00");

        Plan plan = c.plan();

        assertThat(plan.decisions()).hasSize(1600);
        Map<String, List<String>> kept = plan.keep().stream().collect(Collectors.toMap(
                d -> d.backup().stem(), Decision::reasons, (a, b) -> a, LinkedHashMap::new));
        assertThat(kept).containsExactlyEntriesOf(handDerivedKeeps());
        assertThat(plan.delete()).hasSize(1580)
                .allSatisfy(d -> assertThat(d.reasons()).containsExactly(Decision.NO_RULE));
    }

    @Test
    void bigGfsGoldenFileAgreesWithHandDerivedKeeps() {
        // The expected list of this file was generated (GoldenFileWriter); this pins the checked-in
        // file itself to the hand derivation, independently of what the planner does today.
        GoldenCase c = GoldenCase.load(BIG_CASE);
        assertThat(c.expected()).hasSize(1600);
        Map<String, List<String>> kept = new LinkedHashMap<>();
        for (GoldenCase.Expected e : c.expected()) {
            if (e.keep()) {
                kept.put(e.stem(), e.reasons());
            } else {
                assertThat(e.reasons()).containsExactly(Decision.NO_RULE);
            }
        }
        assertThat(kept).containsExactlyEntriesOf(handDerivedKeeps());
    }

    @Test
    void decisionsAreNewestFirstWithStemBreakingTies() {
        Instant t = Instant.parse("2026-11-27T03:00:00Z");
        List<BackupRef> in = List.of(
                BackupRef.of("b", t), backup("2026-11-25T03:00:00Z"), BackupRef.of("c", t),
                backup("2026-11-26T03:00:00Z"), BackupRef.of("a", t));

        List<String> stems = RetentionPlanner.plan(in, keepLast(1), NOW).decisions().stream()
                .map(d -> d.backup().stem()).toList();

        assertThat(stems).containsExactly("c", "b", "a", "2026/11/26/03-00-00", "2026/11/25/03-00-00");
    }

    @Test
    void neverDeletesEverything() {
        // Policies that on their own keep nothing of these old backups; min-keep must step in.
        List<BackupRef> old = new ArrayList<>();
        for (Instant t = Instant.parse("2020-01-01T00:00:00Z"); old.size() < 50; t = t.plus(Duration.ofHours(7))) {
            old.add(BackupRef.of(GoldenCase.STEM.format(t), t));
        }
        List<RetentionPolicy> policies = List.of(
                new RetentionPolicy(0, Duration.ofMinutes(1), 0, 0, 0, 0, 0, 1, false, UTC),
                new RetentionPolicy(0, Duration.ofDays(1), 0, 0, 0, 0, 0, 3, true, UTC),
                new RetentionPolicy(1, null, 0, 0, 0, 0, 0, 1, false, UTC));
        for (RetentionPolicy p : policies) {
            Plan plan = RetentionPlanner.plan(old, p, NOW);
            assertThat(plan.keep()).as("%s", p).hasSizeGreaterThanOrEqualTo(p.minKeep());
            assertThat(plan.keep().get(0).backup()).isEqualTo(plan.decisions().get(0).backup());
        }
    }

    @Test
    void allLabelledInputIsKeptEvenWhenRulesMatchNothing() {
        List<BackupRef> in = List.of(
                new BackupRef("x", Instant.parse("2026-01-01T00:00:00Z"), "keep-me"),
                new BackupRef("y", Instant.parse("2025-01-01T00:00:00Z"), "me-too"));

        Plan plan = RetentionPlanner.plan(in, keepLast(5), NOW);

        assertThat(plan.delete()).isEmpty();
        assertThat(plan.keep().get(0).reasons()).containsExactly("labelled 'keep-me'", "min-keep 1");
    }

    @Test
    void fallBackHourSharesOneHourlyBucket() {
        // 00:30Z is 02:30 CEST and 01:30Z is 02:30 CET on 2026-10-25: same wall-clock hour label,
        // so one bucket (documented in Period.HOURLY); 02:00Z is 03:00 CET, a bucket of its own.
        List<BackupRef> in = List.of(backup("2026-10-25T00:30:00Z"), backup("2026-10-25T01:30:00Z"),
                backup("2026-10-25T02:00:00Z"));
        RetentionPolicy p = new RetentionPolicy(0, null, 5, 0, 0, 0, 0, 1, false, ZoneId.of("Europe/Berlin"));

        Plan plan = RetentionPlanner.plan(in, p, NOW);

        assertThat(plan.decisions()).extracting(Decision::reasons).containsExactly(
                List.of("hourly 2026-10-25T03", "min-keep 1"),
                List.of("hourly 2026-10-25T02"),
                List.of(Decision.NO_RULE));
    }

    @Test
    void rejectsDuplicateStems() {
        List<BackupRef> in = List.of(backup("2026-11-27T03:00:00Z"), backup("2026-11-27T03:00:00Z"));
        assertThatThrownBy(() -> RetentionPlanner.plan(in, keepLast(1), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate backup stem 2026/11/27/03-00-00");
    }

    @Test
    void validatesThePolicy() {
        RetentionPolicy noRule = new RetentionPolicy(0, null, 0, 0, 0, 0, 0, 1, false, UTC);
        assertThatThrownBy(() -> RetentionPlanner.plan(List.of(), noRule, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no retention rule given");
    }

    @Test
    void planHelpersSplitDecisionsKeepingOrder() {
        List<BackupRef> in = List.of(backup("2026-11-25T03:00:00Z"), backup("2026-11-27T03:00:00Z"),
                backup("2026-11-26T03:00:00Z"), backup("2026-11-24T03:00:00Z"));

        Plan plan = RetentionPlanner.plan(in, keepLast(2), NOW);

        assertThat(plan.keep()).extracting(d -> d.backup().stem())
                .containsExactly("2026/11/27/03-00-00", "2026/11/26/03-00-00");
        assertThat(plan.delete()).extracting(d -> d.backup().stem())
                .containsExactly("2026/11/25/03-00-00", "2026/11/24/03-00-00");
    }

    @Test
    void decisionNeedsAReason() {
        assertThatThrownBy(() -> new Decision(backup("2026-11-27T03:00:00Z"), true, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
