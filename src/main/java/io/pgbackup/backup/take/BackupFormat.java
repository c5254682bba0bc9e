package io.pgbackup.backup.take;

/** Which artifacts a backup stores; both come from the same single pg_dump run. */
public enum BackupFormat {
    BOTH, CUSTOM, PLAIN;

    public boolean custom() {
        return this != PLAIN;
    }

    public boolean plain() {
        return this != CUSTOM;
    }

    public static BackupFormat parse(String s, String source) {
        return new io.pgbackup.config.Setting(s, source).asEnum(BackupFormat.class);
    }
}
