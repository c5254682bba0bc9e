/**
 * The {@link io.pgbackup.storage.ObjectStore} port and its value types. Adapters live in
 * sub-packages ({@code fs}, {@code s3}); only {@code storage.s3} may import the AWS SDK, and
 * nothing here knows about Postgres, manifests or the CLI.
 *
 * <p>May import: config, root.
 */
package io.pgbackup.storage;
