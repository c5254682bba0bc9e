package io.pgbackup.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    private record Flag(String name, String value, List<String> values) {}

    private Settings(Map<String, String> env, Map<String, Flag> flags) {
        this.env = env;
        this.flags = flags;
    }

    /**
     * Variables a second store never takes from the first: where it is, who it is, how it locks.
     * Everything else (timeouts, part sizes, retention) falls back to the first store's setting.
     */
    static final List<String> OWN = List.of("S3_BUCKET", "BUCKET_NAME", "S3_PREFIX", "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL", "S3_ENDPOINT", "AWS_REGION", "AWS_DEFAULT_REGION", "S3_PATH_STYLE", "S3_CHECKSUMS",
            "AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ID", "AWS_SECRET",
            "S3_CONDITIONAL_WRITES", "S3_OBJECT_LOCK", "S3_LOCK_FOR", "S3_OBJECT_LOCK_CHECK", "BACKUP_DIR");

    /** The prefix of the second store's variables ({@code COPY_S3_BUCKET}, ...). */
    public static final String COPY = "COPY_";

    /**
     * The environment as the second store sees it: each {@code COPY_X} as {@code X}; the variables
     * of {@link #OWN} only from their {@code COPY_} form, the others falling back to the first
     * store's. The command line's flags are the first store's and do not apply.
     */
    public static Settings copyOf(Map<String, String> env) {
        Map<String, String> view = new HashMap<>();
        env.forEach((k, v) -> {
            if (k != null && v != null && !OWN.contains(k) && !k.startsWith(COPY)) {
                view.put(k, v);
            }
        });
        env.forEach((k, v) -> {
            if (k != null && v != null && k.startsWith(COPY)) {
                view.put(k.substring(COPY.length()), v);
            }
        });
        return new Settings(java.util.Collections.unmodifiableMap(view), Map.of());
    }

    /** Whether a second store is configured (COPY_S3_BUCKET or COPY_BACKUP_DIR). */
    public static boolean hasCopy(Map<String, String> env) {
        return List.of("COPY_S3_BUCKET", "COPY_BACKUP_DIR").stream().anyMatch(k -> env.get(k) != null && !env.get(k).isBlank());
    }

    /** The environment alone. */
    public static Settings of(Map<String, String> env) {
        return new Settings(java.util.Collections.unmodifiableMap(new HashMap<>(env)), Map.of());
    }

    /** These settings with {@code flag} (given as {@code value}, or null when absent) standing for {@code variable}. */
    public Settings flag(String flag, String value, String variable) {
        Map<String, Flag> more = new HashMap<>(flags);
        more.put(variable, new Flag(flag, value, List.of()));
        return new Settings(env, Map.copyOf(more));
    }

    /** These settings with the repeatable {@code flag} (its values, or none) standing for the list {@code variable}. */
    public Settings flags(String flag, List<String> values, String variable) {
        Map<String, Flag> more = new HashMap<>(flags);
        more.put(variable, new Flag(flag, null, values == null ? List.of() : List.copyOf(values)));
        return new Settings(env, Map.copyOf(more));
    }

    /**
     * A list setting: each value of its repeatable flag as given, else the variable's
     * comma-separated items; blanks dropped.
     */
    public List<Setting> list(String variable) {
        Flag f = flags.get(variable);
        List<Setting> out = new ArrayList<>();
        if (f != null && !f.values().isEmpty()) {
            f.values().stream().filter(v -> v != null && !v.isBlank()).forEach(v -> out.add(new Setting(v.strip(), f.name())));
            return out;
        }
        String v = env.get(variable);
        if (v != null) {
            for (String item : v.split(",")) {
                if (!item.isBlank()) {
                    out.add(new Setting(item.strip(), variable));
                }
            }
        }
        return out;
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
