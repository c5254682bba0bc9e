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
 * (its {@code CREATE TABLE} statements) and counts large objects ({@code lo_create}). Exact
 * counts, from the dump itself, at no cost to the database.
 *
 * <p>Names come from the statements, read by a {@link ScriptLexer}, never from pg_dump's
 * {@code -- Name:} comments (which print a newline in a name as a space), so any identifier is
 * exact: quotes, dots, spaces, newlines, any encoding of the script. A COPY or CREATE inside a
 * string, a quoted name or a function body is not taken for one.
 *
 * <p>Cost: COPY data (nearly all of a dump) is scanned eight bytes at a time for newlines (a
 * SWAR test on a long); only the statements between COPY blocks go through the lexer.
 */
public final class RowCountingStage implements Stage {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOWS = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** A table as named in the script. */
    public record Table(String schema, String name) {}

    private final Map<Table, Long> rows = new LinkedHashMap<>();
    private final List<Table> created = new ArrayList<>();
    private final java.util.SortedSet<String> columnOptions = new java.util.TreeSet<>();
    private long largeObjects;
    private long largeObjectsWritten;
    private boolean complete;
    private long cpuNanos;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    // parser state, across writes
    private final ScriptLexer lexer = new ScriptLexer();
    private boolean copyNext; // a COPY ... FROM stdin; ended: its data starts on the next line
    private boolean inCopy;
    private Table copying;
    private long copyRows;
    private final byte[] line = new byte[3]; // the start of a COPY data line: enough to see "\."
    private int lineHead;
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

    /**
     * The names of the column options the script sets ({@code ALTER COLUMN ... SET (name=...)}),
     * so that a restore can check its target knows them before it starts.
     */
    public java.util.SortedSet<String> columnOptions() {
        return columnOptions;
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
            if (inCopy) {
                int nl = nextNewline(b, i, end);
                int stop = nl < 0 ? end : nl;
                takeCopyLine(b, i, stop);
                if (nl < 0) {
                    return;
                }
                endOfCopyLine();
                i = nl + 1;
            } else {
                byte c = b[i++];
                int r = lexer.next(c);
                if (r == ScriptLexer.STATEMENT) {
                    statement();
                } else if (r == ScriptLexer.COMMENT && lexer.commentStartsWith("-- PostgreSQL database dump complete")) {
                    complete = true;
                }
                if (copyNext && c == '\n') {
                    copyNext = false;
                    inCopy = true;
                    copyRows = 0;
                    lineHead = 0;
                    lineLen = 0;
                }
            }
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

    private void takeCopyLine(byte[] b, int from, int to) {
        int n = to - from;
        if (lineHead < line.length && n > 0) {
            int k = Math.min(n, line.length - lineHead);
            System.arraycopy(b, from, line, lineHead, k);
            lineHead += k;
        }
        lineLen += n;
    }

    private void endOfCopyLine() {
        if (lineLen == 2 && line[0] == '\\' && line[1] == '.') {
            rows.merge(copying, copyRows, Long::sum);
            inCopy = false;
            lexer.reset();
        } else {
            copyRows++;
        }
        lineHead = 0;
        lineLen = 0;
    }

    /** A statement between COPY blocks ended: the few kinds that matter. */
    private void statement() {
        if (lexer.metaCommand()) {
            return; // \restrict, \connect: psql's, not SQL
        }
        if (lexer.startsWith("COPY ") && lexer.endsWith("FROM stdin;")) {
            copying = qualified(text(), 5);
            copyNext = copying != null;
        } else if (lexer.startsWith("CREATE TABLE ")) {
            add(qualified(text(), 13));
        } else if (lexer.startsWith("CREATE UNLOGGED TABLE ")) {
            add(qualified(text(), 22));
        } else if (lexer.startsWith("ALTER TABLE ") && lexer.endsWith(");")) {
            ColumnOptions.Parsed p = ColumnOptions.parse(text());
            if (p != null) {
                p.options().forEach(o -> columnOptions.add(ColumnOptions.name(o)));
            }
        } else if (lexer.startsWith("SELECT pg_catalog.lo_create(")) {
            largeObjects++;
        } else if (lexer.startsWith("SELECT pg_catalog.lo_open(")) {
            largeObjectsWritten++;
        } else if (lexer.startsWith("SET client_encoding = '")) {
            String line = text();
            charset = charsetOf(line.substring(23, Math.max(23, line.indexOf('\'', 23))));
        }
    }

    private void add(Table t) {
        if (t != null) {
            created.add(t);
        }
    }

    /** The statement's first bytes, decoded as the script's client_encoding says. */
    private String text() {
        return new String(lexer.head(), 0, lexer.headLength(), charset);
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
            // SQL_ASCII stores bytes as given; the JDBC driver (which lists tables and counts rows in
            // drills) reads them as UTF-8, so names are read the same way here.
            case "SQL_ASCII" -> "UTF-8";
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
