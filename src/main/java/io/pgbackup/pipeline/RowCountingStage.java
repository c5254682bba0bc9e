package io.pgbackup.pipeline;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the rows of every table in a plain SQL script as pg_restore writes it, on its way to
 * the compressor: in COPY text format each row is exactly one line between
 * {@code COPY <table> (...) FROM stdin;} and {@code \.} (newlines inside values are escaped as
 * {@code \n}, a value {@code \.} as {@code \\.}). It also notes which tables the script creates
 * (pg_restore's {@code -- Name: ...; Type: TABLE; ...} headers) and counts large objects
 * ({@code lo_create} lines). Exact counts, from the dump itself, at no cost to the database.
 *
 * <p>Cost: the script is scanned eight bytes at a time for newlines (a SWAR test on a long);
 * only the few lines outside COPY blocks are looked at byte by byte.
 */
public final class RowCountingStage implements Stage {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOWS = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final int HEAD = 4096; // enough of a line outside COPY to read any header we need
    private static final int TAIL = 16; // the end of a long COPY header ("... FROM stdin;")
    private static final byte[] FROM_STDIN = "FROM stdin;".getBytes(StandardCharsets.US_ASCII);

    /** A table as named in the script. */
    public record Table(String schema, String name) {}

    private final Map<Table, Long> rows = new LinkedHashMap<>();
    private final List<Table> created = new ArrayList<>();
    private long largeObjects;
    private long largeObjectsWritten;
    private boolean complete;
    private long cpuNanos;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    // parser state, across writes
    private boolean inCopy;
    private Table copying;
    private long copyRows;
    private final byte[] head = new byte[HEAD];
    private int headLen;
    private final byte[] tail = new byte[TAIL];
    private int tailLen;
    private long lineLen;
    private Charset charset = StandardCharsets.UTF_8;

    @Override
    public OutputStream wrap(OutputStream downstream) {
        return new FilterOutputStream(downstream) {
            @Override
            public void write(int b) throws IOException {
                scan(new byte[] {(byte) b}, 0, 1);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                // Thread CPU time around each chunk (64 KiB): what counting costs, for the summary
                // line and the benchmark; ~1 us per call, nothing next to scanning the chunk.
                long t0 = THREADS.getCurrentThreadCpuTime();
                scan(b, off, len);
                cpuNanos += THREADS.getCurrentThreadCpuTime() - t0;
                out.write(b, off, len);
            }
        };
    }

    /** Rows per table, for every table whose data the script holds (empty tables included). */
    public Map<Table, Long> rows() {
        return rows;
    }

    /** Tables the script creates, in script order. */
    public List<Table> tables() {
        return created;
    }

    /** Large objects the script creates ({@code lo_create}), or, in a data-only script, writes. */
    public long largeObjects() {
        return largeObjects > 0 ? largeObjects : largeObjectsWritten;
    }

    /** CPU time spent counting (thread CPU of the writing thread). */
    public long cpuNanos() {
        return cpuNanos;
    }

    /** Whether pg_restore's "dump complete" trailer was seen. */
    public boolean complete() {
        return complete;
    }

    void scan(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int nl = nextNewline(b, i, end);
            int stop = nl < 0 ? end : nl;
            take(b, i, stop);
            if (nl < 0) {
                return;
            }
            endOfLine();
            i = nl + 1;
        }
    }

    /** The index of the next '\n' in [from, to), or -1; eight bytes per step while there is none. */
    private static int nextNewline(byte[] b, int from, int to) {
        int i = from;
        while (i + 8 <= to) {
            long w = (long) LONGS.get(b, i) ^ NEWLINES;
            long found = (w - LOWS) & ~w & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            i += 8;
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Part of the current line: keep its head (a few bytes inside COPY, more outside) and, outside, its tail. */
    private void take(byte[] b, int from, int to) {
        int n = to - from;
        int keep = inCopy ? 3 : HEAD;
        if (headLen < keep && n > 0) {
            int k = Math.min(n, keep - headLen);
            System.arraycopy(b, from, head, headLen, k);
            headLen += k;
        }
        if (!inCopy && n > 0) {
            int k = Math.min(n, TAIL);
            if (tailLen + k > TAIL) {
                int drop = tailLen + k - TAIL;
                System.arraycopy(tail, drop, tail, 0, tailLen - drop);
                tailLen -= drop;
            }
            System.arraycopy(b, to - k, tail, tailLen, k);
            tailLen += k;
        }
        lineLen += n;
    }

    private boolean endsWithFromStdin() {
        if (tailLen < FROM_STDIN.length) {
            return false;
        }
        for (int i = 0; i < FROM_STDIN.length; i++) {
            if (tail[tailLen - FROM_STDIN.length + i] != FROM_STDIN[i]) {
                return false;
            }
        }
        return true;
    }

    private void endOfLine() {
        if (inCopy) {
            if (lineLen == 2 && head[0] == '\\' && head[1] == '.') {
                rows.merge(copying, copyRows, Long::sum);
                inCopy = false;
            } else {
                copyRows++;
            }
        } else if (headLen > 0 && (head[0] == 'C' || head[0] == '-' || head[0] == 'S')) {
            // Only COPY, comment and SELECT/SET lines matter outside COPY blocks.
            outsideCopy(new String(head, 0, headLen, charset));
        }
        headLen = 0;
        tailLen = 0;
        lineLen = 0;
    }

    private void outsideCopy(String line) {
        if (line.startsWith("COPY ") && endsWithFromStdin()) {
            copying = qualified(line, 5);
            copyRows = 0;
            inCopy = copying != null;
        } else if (line.startsWith("-- Name: ") && line.contains("; Type: TABLE; Schema: ")) {
            int type = line.indexOf("; Type: TABLE; Schema: ");
            int owner = line.indexOf("; Owner: ", type);
            String schema = line.substring(type + 23, owner < 0 ? line.length() : owner);
            created.add(new Table(schema, line.substring(9, type)));
        } else if (line.startsWith("SELECT pg_catalog.lo_create(")) {
            largeObjects++;
        } else if (line.startsWith("SELECT pg_catalog.lo_open(")) {
            largeObjectsWritten++;
        } else if (line.startsWith("SET client_encoding = '")) {
            charset = charsetOf(line.substring(23, Math.max(23, line.indexOf('\'', 23))));
        } else if (line.startsWith("-- PostgreSQL database dump complete")) {
            complete = true;
        }
    }

    /** {@code schema.table} as pg_dump writes it: each part quoted ("" escapes) or a bare name. */
    static Table qualified(String s, int from) {
        String[] parts = new String[2];
        int i = from;
        for (int p = 0; p < 2; p++) {
            StringBuilder id = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (i < s.length()) {
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < s.length() && s.charAt(i) == '"') {
                            id.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        id.append(c);
                    }
                }
            } else {
                while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != ' ' && s.charAt(i) != '(') {
                    id.append(s.charAt(i++));
                }
            }
            parts[p] = id.toString();
            if (p == 0) {
                if (i >= s.length() || s.charAt(i) != '.') {
                    return null; // not schema-qualified: pg_dump always qualifies
                }
                i++;
            }
        }
        return new Table(parts[0], parts[1]);
    }

    private static Charset charsetOf(String pgName) {
        String n = switch (pgName.toUpperCase(java.util.Locale.ROOT)) {
            case "UTF8" -> "UTF-8";
            case "LATIN1" -> "ISO-8859-1";
            case "SQL_ASCII" -> "ISO-8859-1";
            case "WIN1252" -> "windows-1252";
            case "LATIN9" -> "ISO-8859-15";
            case "EUC_JP" -> "EUC-JP";
            case "SJIS" -> "Shift_JIS";
            default -> pgName;
        };
        try {
            return Charset.forName(n);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
