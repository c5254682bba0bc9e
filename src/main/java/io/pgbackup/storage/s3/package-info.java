/**
 * The S3 adapter of {@link io.pgbackup.storage.ObjectStore}; the only package that imports the
 * AWS SDK. {@link io.pgbackup.storage.s3.S3Settings} owns the S3 settings: aliases, bounds, the
 * upload heap budget.
 *
 * <p>May import: storage, config, root.
 */
package io.pgbackup.storage.s3;
