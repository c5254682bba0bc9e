/**
 * pgbackup's SLF4J provider: one line per event on stderr, as text (the default) or as JSON with
 * ECS field names ({@code LOG_FORMAT=json}), with SLF4J's key-value pairs as structured fields; and
 * the tail of the last lines, which a failure ping carries. A small provider on the Jackson the
 * project already has: measured against slf4j-simple and logback, it adds nothing to start-up (see
 * the README). May import: the root package only.
 */
package io.pgbackup.log;
