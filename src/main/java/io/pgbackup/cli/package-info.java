/**
 * picocli commands only: each maps its options (flag, environment, default) to a request or a
 * job's settings, hands them to a job of {@code jobs} and prints what it returns through
 * {@code spec.commandLine().getOut()}. Commands never call each other. Options whose flags stand
 * for an adapter's variables (store, lock, notifications) only register them
 * ({@link io.pgbackup.cli.FlagSet}); the adapter reads and checks them. The only package that
 * imports picocli; never calls System.exit.
 *
 * <p>May import: jobs, the request values of backup.take, backup.restore and backup.drill,
 * manifest, pg, pipeline, pipeline.age, health, schedule, retention, config, root. Never repo,
 * notify or storage.
 */
package io.pgbackup.cli;
