/**
 * Restore drills: a backup (of one database or a server) restored into scratch databases through
 * backup.restore, checked against its manifest's exact row counts and the operator's assertions,
 * the report stored next to the backup, the scratch databases dropped.
 *
 * <p>May import: backup.restore, repo, storage (the port), manifest, pg, pipeline, pipeline.age,
 * config, root.
 */
package io.pgbackup.backup.drill;
