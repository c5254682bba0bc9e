/**
 * The S3 adapter of {@link io.pgbackup.storage.ObjectStore}; the only package that imports the
 * AWS SDK.
 */
package io.pgbackup.storage.s3;
