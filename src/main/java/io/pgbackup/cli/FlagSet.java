package io.pgbackup.cli;

import io.pgbackup.config.Settings;
import java.util.Map;

/** Options whose flags stand for environment variables that a lower layer reads (store, lock, notifications). */
interface FlagSet {
    /** {@code s} with this set's flags registered for their variables. */
    Settings register(Settings s);

    /** The environment with the flags of {@code sets}. */
    static Settings of(Map<String, String> env, FlagSet... sets) {
        Settings s = Settings.of(env);
        for (FlagSet f : sets) {
            s = f.register(s);
        }
        return s;
    }
}
