/**
 * The manifest record, its JSON codec and the key layout: everything about where a backup's
 * objects live and what was recorded about them. Must not import storage adapters, pg or cli.
 */
package io.pgbackup.manifest;
