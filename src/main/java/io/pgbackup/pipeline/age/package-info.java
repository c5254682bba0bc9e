/**
 * age v1 encryption (X25519 recipients) through Jagged: the public keys a backup is encrypted to,
 * the identities (private keys) that read it, the encrypting {@link io.pgbackup.pipeline.Stage},
 * and the decrypting stream the reader puts over stored bytes. The host that takes backups holds
 * recipients only; identities live wherever restores happen.
 *
 * <p>May import: pipeline, config, root.
 */
package io.pgbackup.pipeline.age;
