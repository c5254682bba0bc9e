/**
 * The protocols pgbackup keeps on a store: the {@link io.pgbackup.repo.Catalog} of manifests, the
 * {@link io.pgbackup.repo.Selector} that picks one, the prefix lock
 * ({@link io.pgbackup.repo.PrefixLock}, a lease behind the {@link io.pgbackup.repo.RunLock} port),
 * the stem claim, the {@link io.pgbackup.repo.ObjectReader} that undoes a backup's stages, the
 * orphan sweep, the conditional-write probe, and a {@link io.pgbackup.repo.Destination}.
 *
 * <p>May import: storage (the port), manifest, pipeline, pipeline.age, config, root.
 */
package io.pgbackup.repo;
