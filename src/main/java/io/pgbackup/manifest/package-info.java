/**
 * The manifest record, its JSON codec and the key layout: everything about where a backup's
 * objects live and what was recorded about them. {@link io.pgbackup.manifest.KeyLayout} is the one
 * place keys are built: typed methods per object (archive, script, globals, catalog, drill
 * report), each knowing whether the object is encrypted.
 *
 * <p>May import: the root package only.
 */
package io.pgbackup.manifest;
