/**
 * picocli commands only: each maps options (flag, environment, default) to a request record,
 * validates it, calls a service and prints through {@code spec.commandLine().getOut()}. The only
 * package that imports picocli; never calls System.exit.
 */
package io.pgbackup.cli;
