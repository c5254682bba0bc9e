/**
 * Postgres: connection strings (cleaning, parsing, redaction), JDBC access, and the pg_dump /
 * pg_restore / psql child processes, the tools of each major, standby snapshots.
 *
 * <p>May import: config, root.
 */
package io.pgbackup.pg;
