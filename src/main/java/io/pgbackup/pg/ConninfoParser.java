package io.pgbackup.pg;

import java.util.LinkedHashMap;
import java.util.Map;

/** libpq's {@code key=value} conninfo form: values may be single-quoted with backslash escapes. */
final class ConninfoParser {
    private ConninfoParser() {}

    static Map<String, String> parse(String s) {
        Map<String, String> p = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return p;
            }
            int keyStart = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(keyStart, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=' || !key.matches("[A-Za-z_]+")) {
                throw new IllegalArgumentException("expected key=value at '" + key + "'");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        v.append(s.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        v.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value for '" + key + "'");
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = s.charAt(i++);
                    }
                    v.append(c);
                }
            }
            p.put(key, v.toString());
        }
    }

    static String quote(String v) {
        if (!v.isEmpty() && v.chars().noneMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '\\')) {
            return v;
        }
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
