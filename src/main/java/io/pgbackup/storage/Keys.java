package io.pgbackup.storage;

/** Validation of object keys, shared by every adapter so they all refuse the same keys. */
public final class Keys {
    private Keys() {}

    /** Returns {@code key} if it is a valid relative key, else throws IllegalArgumentException. */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("invalid object key: '" + key + "'");
        }
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("invalid object key: '" + key + "'");
            }
        }
        return key;
    }
}
