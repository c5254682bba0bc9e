/** The local-directory adapter of {@link io.pgbackup.storage.ObjectStore}; plain java.nio only. */
package io.pgbackup.storage.fs;
