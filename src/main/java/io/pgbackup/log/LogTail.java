package io.pgbackup.log;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The last log lines of this process, as written, so a failure ping can carry them ("the error
 * line plus the last log lines, at most 10,000 bytes, tail kept").
 */
public final class LogTail {
    private static final int MAX_LINES = 200;
    private static final Deque<String> LINES = new ArrayDeque<>();

    private LogTail() {}

    static void add(String line) {
        synchronized (LINES) {
            if (LINES.size() == MAX_LINES) {
                LINES.removeFirst();
            }
            LINES.addLast(line);
        }
    }

    /** The newest lines that fit in {@code maxBytes} (UTF-8), oldest first. */
    public static String tail(int maxBytes) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        synchronized (LINES) {
            var it = LINES.descendingIterator();
            Deque<String> kept = new ArrayDeque<>();
            while (it.hasNext()) {
                String l = it.next();
                int n = l.getBytes(StandardCharsets.UTF_8).length + 1;
                if (bytes + n > maxBytes) {
                    break;
                }
                bytes += n;
                kept.addFirst(l);
            }
            kept.forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    public static void clear() {
        synchronized (LINES) {
            LINES.clear();
        }
    }
}
