package io.pgbackup.storage;

/**
 * How an object is written: the Object Lock of the new version (null: none), and how big it is
 * expected to grow at most ({@code expectedBytes}, 0: unknown): a store whose uploads are split
 * into a bounded number of parts sizes them so the object fits.
 */
public record Put(Retention retention, long expectedBytes) {
    public static final Put PLAIN = new Put(null, 0);

    public static Put locked(Retention retention) {
        return new Put(retention, 0);
    }

    public Put expecting(long bytes) {
        return new Put(retention, bytes);
    }
}
