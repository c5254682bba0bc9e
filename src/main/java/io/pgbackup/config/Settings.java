package io.pgbackup.config;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings of one run as the adapters read them: by environment variable, where a flag that
 * stands for a variable wins over it. The command line registers its flags
 * ({@link #flag}); an adapter asks for its variables ({@link #get}) and so owns their names,
 * aliases, defaults and rules, while its errors still name the flag the operator typed.
 */
public final class Settings {
    private final Map<String, String> env;
    private final Map<String, Flag> flags;

    private record Flag(String name, String value) {}

    private Settings(Map<String, String> env, Map<String, Flag> flags) {
        this.env = env;
        this.flags = flags;
    }

    /** The environment alone. */
    public static Settings of(Map<String, String> env) {
        return new Settings(java.util.Collections.unmodifiableMap(new HashMap<>(env)), Map.of());
    }

    /** These settings with {@code flag} (given as {@code value}, or null when absent) standing for {@code variable}. */
    public Settings flag(String flag, String value, String variable) {
        Map<String, Flag> more = new HashMap<>(flags);
        more.put(variable, new Flag(flag, value));
        return new Settings(env, Map.copyOf(more));
    }

    /**
     * The first of {@code vars} that is set, the flag of any of them first; else {@code defaultValue},
     * attributed to the first variable's flag (or the variable, when it has none).
     */
    public Setting get(String defaultValue, String... vars) {
        for (String v : vars) {
            Flag f = flags.get(v);
            if (f != null && f.value() != null && !f.value().isBlank()) {
                return new Setting(f.value(), f.name());
            }
        }
        for (String v : vars) {
            String s = env.get(v);
            if (s != null && !s.isBlank()) {
                return new Setting(s, v);
            }
        }
        Flag f = flags.get(vars[0]);
        return new Setting(defaultValue, f != null ? f.name() : vars[0]);
    }

    /** The value of an environment variable that no flag stands for (keys, secrets) as set, or null when blank. */
    public String env(String variable) {
        String s = env.get(variable);
        return s == null || s.isBlank() ? null : s;
    }

    /** The environment, for what takes it whole (the PostgreSQL tools' search path). */
    public Map<String, String> environment() {
        return env;
    }
}
