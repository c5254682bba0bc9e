/**
 * Applying a retention plan: what retention's pure planner decides, deleted manifest first, and
 * the leftovers of interrupted runs swept, under the caller's lock.
 *
 * <p>May import: retention, repo, storage (the port), manifest, config, root.
 */
package io.pgbackup.backup.prune;
