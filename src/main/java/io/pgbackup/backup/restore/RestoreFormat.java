package io.pgbackup.backup.restore;

import java.util.Locale;

/** Which of a backup's objects a restore reads: the custom archive (pg_restore) or the SQL script (psql). */
public enum RestoreFormat {
    CUSTOM, PLAIN;

    /** The manifest's name of the object: {@code custom} or {@code plain}. */
    public String objectFormat() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RestoreFormat parse(String s, String source) {
        return new io.pgbackup.config.Setting(s, source).asEnum(RestoreFormat.class);
    }
}
