/**
 * Applying a retention plan: what retention's pure planner decides (and its guard keeps), deleted
 * manifest first, and the leftovers of interrupted runs swept, under the caller's lock; nothing
 * deleted after an anomalous backup (health's rules).
 *
 * <p>May import: retention, health, repo, storage (the port), manifest, config, root.
 */
package io.pgbackup.backup.prune;
