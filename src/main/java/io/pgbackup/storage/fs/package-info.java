/**
 * The local-directory adapter of {@link io.pgbackup.storage.ObjectStore}; plain java.nio only.
 *
 * <p>May import: storage, config, root.
 */
package io.pgbackup.storage.fs;
