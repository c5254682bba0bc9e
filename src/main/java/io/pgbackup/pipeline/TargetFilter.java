package io.pgbackup.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Leaves out of a psql script what the target server does not know, and nothing else:
 *
 * <ul>
 *   <li>top-level {@code SET name = value;} of a setting the target lacks: the client tools of
 *       PostgreSQL 17 and newer begin every script (and every {@code \connect}) with
 *       {@code SET transaction_timeout = 0;}, which servers of 16 and older refuse;
 *   <li>column options the target lacks in {@code ALTER TABLE ... ALTER COLUMN ... SET (...)}:
 *       servers of the November 2026 minor releases tag every column with {@code pg_attver},
 *       which pg_dump of earlier minors dumps and servers of earlier minors refuse (the servers
 *       that have it ignore the value set). A statement left with no option is left out.
 * </ul>
 *
 * COPY data, string literals, quoted names, dollar-quoted bodies and comments pass through
 * untouched, whatever they hold: a {@link ScriptLexer} tells statements from text.
 */
public final class TargetFilter implements Stage {
    private static final Pattern SET = Pattern.compile("SET ([A-Za-z_][A-Za-z0-9_]*) (?:=|TO) .*;", Pattern.DOTALL);
    /** A statement longer than this is neither a session setting nor a column's options: it passes unbuffered. */
    private static final int CANDIDATE = 8192;

    private final Set<String> settings;
    private final Set<String> unknownColumnOptions;
    private final List<String> dropped = new ArrayList<>();

    /**
     * @param settings             the target's settings ({@code pg_settings.name}, lower case); null
     *                             leaves every SET as it is
     * @param unknownColumnOptions column options the target refuses (lower case)
     */
    public TargetFilter(Set<String> settings, Set<String> unknownColumnOptions) {
        this.settings = settings;
        this.unknownColumnOptions = unknownColumnOptions;
    }

    /** What was left out, in order: whole statements, or {@code name=value} of a column's options. */
    public List<String> dropped() {
        return dropped;
    }

    @Override
    public OutputStream wrap(OutputStream downstream) {
        return new FilterOutputStream(downstream) {
            private final ScriptLexer lexer = new ScriptLexer();
            // Bytes not written yet: a '-' or '/' that may open a comment, or a statement that may be changed.
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
            private boolean candidate;
            private boolean dropNewline;
            private boolean copyNext;
            private boolean inCopy;
            private final byte[] copyLine = new byte[3];
            private int copyLen;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int end = off + len;
                int i = off;
                while (i < end) {
                    if (inCopy) {
                        i = copy(b, i, end); // COPY data: whole lines at a time
                    } else {
                        write(b[i++]);
                    }
                }
            }

            @Override
            public void write(int v) throws IOException {
                if (inCopy) {
                    byte[] one = {(byte) v};
                    copy(one, 0, 1);
                    return;
                }
                byte c = (byte) v;
                if (dropNewline) {
                    dropNewline = false;
                    if (c == '\n') {
                        return;
                    }
                }
                boolean wasIn = lexer.inStatement();
                int r = lexer.next(c);
                if (!wasIn && lexer.inStatement()) {
                    int first = lexer.head()[0];
                    candidate = first == 'S' || first == 'A';
                }
                pending.write(c);
                if (r == ScriptLexer.STATEMENT) {
                    if (candidate && !lexer.metaCommand()) {
                        decide();
                    } else {
                        writePending();
                    }
                    candidate = false;
                    if (!lexer.metaCommand() && lexer.startsWith("COPY ") && lexer.endsWith("FROM stdin;")) {
                        copyNext = true;
                    }
                } else if (lexer.inStatement()) {
                    if (!candidate || pending.size() > CANDIDATE) {
                        writePending();
                        candidate = false;
                    }
                } else if (!lexer.holding()) {
                    writePending();
                }
                if (copyNext && c == '\n') {
                    copyNext = false;
                    inCopy = true;
                    copyLen = 0;
                }
            }

            /** COPY data from {@code b[from]} up to the end of the block or of {@code to}; returns where it stopped. */
            private int copy(byte[] b, int from, int to) throws IOException {
                int i = from;
                while (i < to) {
                    byte c = b[i++];
                    if (c == '\n') {
                        if (copyLen == 2 && copyLine[0] == '\\' && copyLine[1] == '.') {
                            out.write(b, from, i - from);
                            inCopy = false;
                            lexer.reset();
                            return i;
                        }
                        copyLen = 0;
                    } else if (copyLen < copyLine.length) {
                        copyLine[copyLen++] = c;
                    } else {
                        copyLen = copyLine.length + 1; // longer than "\."
                    }
                }
                out.write(b, from, to - from);
                return to;
            }

            private void writePending() throws IOException {
                pending.writeTo(out);
                pending.reset();
            }

            /** A whole SET or ALTER statement is pending: write it as it is, changed, or not at all. */
            private void decide() throws IOException {
                String stmt = pending.toString(StandardCharsets.UTF_8);
                String kept = keep(stmt);
                if (kept == null) {
                    pending.reset();
                    dropNewline = true;
                } else if (kept.equals(stmt)) {
                    writePending();
                } else {
                    out.write(kept.getBytes(StandardCharsets.UTF_8));
                    pending.reset();
                }
            }

            @Override
            public void close() throws IOException {
                writePending();
                super.close();
            }
        };
    }

    /** {@code stmt} as the target can take it, or null to leave it out. */
    String keep(String stmt) {
        if (settings != null) {
            Matcher m = SET.matcher(stmt);
            if (m.matches() && !settings.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                dropped.add(stmt);
                return null;
            }
        }
        if (!unknownColumnOptions.isEmpty()) {
            ColumnOptions.Parsed p = ColumnOptions.parse(stmt);
            if (p != null) {
                List<String> kept = new ArrayList<>();
                for (String o : p.options()) {
                    if (unknownColumnOptions.contains(ColumnOptions.name(o))) {
                        dropped.add(o);
                    } else {
                        kept.add(o);
                    }
                }
                if (kept.size() == p.options().size()) {
                    return stmt;
                }
                return kept.isEmpty() ? null : p.before() + String.join(", ", kept) + p.after();
            }
        }
        return stmt;
    }
}
