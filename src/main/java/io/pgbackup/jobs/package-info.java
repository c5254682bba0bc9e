/**
 * What the commands and the daemon share, between picocli and the services: a
 * {@link io.pgbackup.jobs.Site} (the repository, the reporting), reported runs
 * ({@link io.pgbackup.jobs.Reporting}: notifications and metrics, exit codes unchanged), locked
 * runs, {@link io.pgbackup.jobs.BackupJob} (ad hoc, under a tick's lock, the daemon's),
 * backup-then-prune, {@link io.pgbackup.jobs.DrillJob} (a drill of any backup), the tick, the
 * daemon, the report refresh, and the reads of list, verify, restore and download.
 *
 * <p>May import: backup.*, repo, notify (and its adapters), storage (and its adapters: the one
 * place that chooses between them), manifest, pg, pipeline, pipeline.age, health, schedule,
 * retention, config, root. Never cli or picocli.
 */
package io.pgbackup.jobs;
