/**
 * The healthchecks.io ping protocol: {@code /start}, success, {@code /fail} with the log's tail.
 *
 * <p>May import: notify, config, log, root.
 */
package io.pgbackup.notify.ping;
