/**
 * Composable stream stages: bounded pipes between threads, hashing and counting, compression.
 * Each stage reports what it measured (sizes, digests, rows) for the manifest.
 *
 * <p>May import: pipeline.age, config, root.
 */
package io.pgbackup.pipeline;
