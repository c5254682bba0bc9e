/**
 * Postgres: connection strings (cleaning, parsing, redaction), JDBC access, and the pg_dump /
 * pg_restore / psql child processes. Must not import storage, manifest or cli.
 */
package io.pgbackup.pg;
