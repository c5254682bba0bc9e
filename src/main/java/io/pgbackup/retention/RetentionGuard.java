package io.pgbackup.retention;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The last line of defence of a prune: whatever the policy says, the newest {@code n} backups that
 * passed a restore drill stay. A database emptied by a bug upstream then costs the backups taken
 * after it, never the last ones known to restore.
 */
public final class RetentionGuard {
    private RetentionGuard() {}

    /** {@code plan} with the newest {@code n} backups of {@code drilled} (stems) kept, the reason added. */
    public static Plan keepDrilled(Plan plan, Set<String> drilled, int n) {
        if (n <= 0) {
            return plan;
        }
        String reason = "one of the newest " + n + " backup(s) with a passed drill";
        int found = 0;
        List<Decision> out = new ArrayList<>();
        for (Decision d : plan.decisions()) { // newest first
            if (found < n && drilled.contains(d.backup().stem())) {
                found++;
                List<String> reasons = new ArrayList<>(d.keep() ? d.reasons() : List.of());
                reasons.add(reason);
                out.add(new Decision(d.backup(), true, reasons));
            } else {
                out.add(d);
            }
        }
        return new Plan(out);
    }
}
