/**
 * Settings as operators write them: {@link io.pgbackup.config.Setting} (a value and where it came
 * from, with parsers whose errors name it), {@link io.pgbackup.config.Settings} (flags standing
 * for environment variables, read by each adapter for its own variables) and
 * {@link io.pgbackup.config.Durations}, the one duration syntax.
 *
 * <p>The ground floor beside the root package: imports only {@code io.pgbackup} (exceptions).
 */
package io.pgbackup.config;
