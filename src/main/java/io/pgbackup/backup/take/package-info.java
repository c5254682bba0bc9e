/**
 * Taking backups: {@link io.pgbackup.backup.take.BackupTransaction}, the one commit protocol
 * (sweep, stem claim, streams, lease check, catalog, manifest last) for every
 * {@link io.pgbackup.backup.take.BackupKind}: {@link io.pgbackup.backup.take.OneDatabase} and
 * {@link io.pgbackup.backup.take.WholeServer}, both built from one database's
 * {@code DatabaseDump} (pg_dump teed into the archive upload and pg_restore's counted script),
 * run by {@link io.pgbackup.backup.take.BackupRun} into every destination.
 *
 * <p>May import: repo, storage (the port), manifest, pg, pipeline, pipeline.age, config, root.
 */
package io.pgbackup.backup.take;
