/**
 * Composable stream stages: bounded pipes between threads, hashing and counting, compression.
 * Each stage reports what it measured (sizes, digests) for the manifest. Must not import
 * storage, pg, manifest or cli.
 */
package io.pgbackup.pipeline;
