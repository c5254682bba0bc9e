package io.pgbackup.pg;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Postgres version as a client tool or server reports it, e.g. {@code 15.18} or {@code 17.2}. */
public record ToolVersion(int major, String full) {
    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

    /** Parses {@code pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)} or {@code 17.2}. */
    public static Optional<ToolVersion> parse(String text) {
        String s = text.contains(")") && text.contains("(PostgreSQL)")
                ? text.substring(text.indexOf("(PostgreSQL)") + 12) : text;
        Matcher m = VERSION.matcher(s);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new ToolVersion(Integer.parseInt(m.group(1)), m.group().trim()));
    }

    /** From the server's {@code server_version_num} (170002 → 17, 90624 → 9). */
    public static ToolVersion fromServerNum(int num, String full) {
        return new ToolVersion(num / 10000, full);
    }

    @Override
    public String toString() {
        return full;
    }
}
