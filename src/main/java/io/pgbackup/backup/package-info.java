/**
 * The services, one sub-package per thing they serve: {@code take} (backups: one transaction for
 * every kind), {@code restore} (restores, whole servers, downloads), {@code drill} (restore
 * drills), {@code inspect} (verify, status, the HTML report) and {@code prune} (retention). They
 * combine repo, pg, pipeline and manifest.
 *
 * <p>May import: repo, storage (the port only), manifest, pg, pipeline, pipeline.age, health,
 * retention, config and the root package; a service package imports no other service package but
 * drill, which restores through restore. Never jobs, cli, notify, picocli or the AWS SDK; never
 * System.exit.
 */
package io.pgbackup.backup;
