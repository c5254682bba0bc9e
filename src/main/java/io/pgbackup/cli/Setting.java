package io.pgbackup.cli;

import java.util.Map;

/**
 * A resolved setting and where it came from (a flag or an environment variable), so error
 * messages can name exactly what the operator has to fix. Precedence: flag, then each
 * environment variable in order, then the default.
 */
record Setting(String value, String source) {

    static Setting resolve(Map<String, String> env, String flag, String flagValue, String defaultValue, String... vars) {
        if (flagValue != null && !flagValue.isBlank()) {
            return new Setting(flagValue, flag);
        }
        for (String v : vars) {
            String s = env.get(v);
            if (s != null && !s.isBlank()) {
                return new Setting(s, v);
            }
        }
        return new Setting(defaultValue, flag);
    }

    boolean isSet() {
        return value != null && !value.isBlank();
    }
}
