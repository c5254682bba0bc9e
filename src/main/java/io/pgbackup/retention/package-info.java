/**
 * Pure retention planning: (backups, policy, now) -&gt; keep/delete with reasons. No I/O, no
 * clock. May import: config (durations), root.
 *
 * <p>The entry point is {@link io.pgbackup.retention.RetentionPlanner#plan}; the rules are
 * modelled on restic's {@code forget} ({@code ApplyPolicy}). Callers list backups, build a
 * {@link io.pgbackup.retention.RetentionPolicy} from flags, pass the current time in, and act on
 * the returned {@link io.pgbackup.retention.Plan}.
 */
package io.pgbackup.retention;
