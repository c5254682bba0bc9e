/**
 * Reading backups back into Postgres or onto disk: a database restore (pg_restore, or the
 * script through psql, with the tools closest to the target), a whole-server restore (globals,
 * then every database with --create) and downloads.
 *
 * <p>May import: repo, storage (the port), manifest, pg, pipeline, pipeline.age, config, root.
 */
package io.pgbackup.backup.restore;
