/**
 * Health computed from what the store holds, without trusting the job to report on itself: the
 * pure verdicts of {@code status} ({@link io.pgbackup.health.Health}) and the self-contained HTML
 * report ({@link io.pgbackup.health.HtmlReport}). Inputs are facts read from manifests, drill
 * reports and listings, plus a clock; nothing here does I/O. May import: manifest, schedule, config, root.
 */
package io.pgbackup.health;
