/**
 * Cron schedules and due-slot logic; pure, clock-free. May import: config, root. Callers pass the current {@link java.time.Instant} in, so every decision here is a
 * function of its arguments and can be tested without sleeping.
 */
package io.pgbackup.schedule;
