/**
 * The services: backup (and, later, restore and drills). They combine pg, pipeline, storage and
 * manifest; they never import picocli or the AWS SDK, and never call System.exit.
 */
package io.pgbackup.backup;
