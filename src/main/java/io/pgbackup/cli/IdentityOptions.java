package io.pgbackup.cli;

import io.pgbackup.PgBackupException;
import io.pgbackup.pipeline.age.AgeIdentities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The age identities (private keys) that read encrypted backups: restore, download, drill,
 * verify --decrypt and the daemon's drills. Never echoed: a bad one is named by its setting and line.
 */
final class IdentityOptions {
    @Option(names = {"-i", "--identity"}, paramLabel = "FILE",
            description = "age identity file (age-keygen's key.txt; repeatable) for encrypted backups. "
                    + "Env: AGE_IDENTITY_FILE, or AGE_IDENTITY (the key itself; a secret).")
    List<Path> files;

    /** The identities of the flags, or else of AGE_IDENTITY (AGE_IDENTITY_FILE is read into it); none when unset. */
    AgeIdentities resolve(Map<String, String> env) {
        List<AgeIdentities.Source> sources = new ArrayList<>();
        if (files != null && !files.isEmpty()) {
            for (Path f : files) {
                try {
                    sources.add(new AgeIdentities.Source("--identity " + f, Files.readString(f)));
                } catch (IOException | RuntimeException e) {
                    throw PgBackupException.config("--identity: cannot read " + f + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                }
            }
        } else if (env.get("AGE_IDENTITY") != null && !env.get("AGE_IDENTITY").isBlank()) {
            sources.add(new AgeIdentities.Source("AGE_IDENTITY (or AGE_IDENTITY_FILE)", env.get("AGE_IDENTITY")));
        }
        return sources.isEmpty() ? AgeIdentities.none() : AgeIdentities.parse(sources);
    }
}
