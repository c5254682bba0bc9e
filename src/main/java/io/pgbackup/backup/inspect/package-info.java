/**
 * Looking at backups without restoring them: verify (the stored bytes against the manifest),
 * status (health verdicts from the store alone) and the HTML report.
 *
 * <p>May import: health, repo, storage (the port), manifest, pg, pipeline, pipeline.age, config,
 * root.
 */
package io.pgbackup.backup.inspect;
