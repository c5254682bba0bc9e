package io.pgbackup.pipeline;

/**
 * Follows the lexical structure of a psql script byte by byte, outside COPY data, far enough to
 * know where each top-level statement starts and ends: string literals ({@code '...'},
 * {@code E'...'}), quoted identifiers ({@code "..."}, which may hold newlines), dollar quotes
 * ({@code $tag$...$tag$}), {@code --} and nested {@code /* *}{@code /} comments. A statement ends
 * at a {@code ;} outside all of them; a psql meta-command ({@code \restrict}, {@code \connect})
 * at a statement start ends at its newline. Comments and blank space between statements belong
 * to no statement.
 *
 * <p>For each statement it keeps the first {@link #HEAD} bytes and the last {@link #TAIL}, which
 * is what its callers look at (a COPY's table and {@code FROM stdin;}, a {@code CREATE TABLE}'s
 * name, a {@code SET}), never the whole statement. Exact where pg_dump's comment headers are
 * not: those replace newlines in names with spaces.
 */
final class ScriptLexer {
    static final int HEAD = 4096;
    static final int TAIL = 16;

    private static final int NORMAL = 0;
    private static final int SQUOTE = 1;
    private static final int ESQUOTE = 2;
    private static final int ESQUOTE_ESCAPED = 3;
    private static final int DQUOTE = 4;
    private static final int LINE_COMMENT = 5;
    private static final int BLOCK_COMMENT = 6;
    private static final int DOLLAR_OPEN = 7;
    private static final int DOLLAR = 8;
    private static final int DOLLAR_CLOSE = 9;
    private static final int META = 10;
    private static final int PENDING_DASH = 11; // a '-' between statements: a comment or a statement's start
    private static final int PENDING_SLASH = 12;

    private int state = NORMAL;
    private boolean inStatement;
    private int prev = '\n';
    private int prev2 = '\n';
    private int blockDepth;
    private final byte[] tag = new byte[64];
    private int tagLen;
    private int closeMatch;
    private boolean meta;
    private boolean closedEString; // the literal that just closed was an E'' one: a '' right after continues it

    private final byte[] head = new byte[HEAD];
    private int headLen;
    private final byte[] tail = new byte[TAIL];
    private int tailLen;
    private long length;
    private final byte[] comment = new byte[64];
    private int commentLen;

    /** Whether the bytes seen so far are inside a statement (not between statements). */
    boolean inStatement() {
        return inStatement;
    }

    /** Between statements, outside any comment: where a new statement may begin. */
    boolean atBoundary() {
        return !inStatement && state == NORMAL;
    }

    /** Between statements, a '-' or '/' is held until the next byte tells a comment from a statement. */
    boolean holding() {
        return state == PENDING_DASH || state == PENDING_SLASH;
    }

    /** Whether the statement that just ended was a psql meta-command (a line starting with a backslash). */
    boolean metaCommand() {
        return meta;
    }

    byte[] head() {
        return head;
    }

    int headLength() {
        return headLen;
    }

    /** Whether the statement's text starts with {@code prefix} (ASCII). */
    boolean startsWith(String prefix) {
        return headLen >= prefix.length() && at(head, 0, prefix);
    }

    /** Whether the statement's text ends with {@code suffix} (ASCII, at most {@link #TAIL} long). */
    boolean endsWith(String suffix) {
        return tailLen >= suffix.length() && at(tail, tailLen - suffix.length(), suffix);
    }

    /** Bytes in the statement that just ended (or the one under way). */
    long length() {
        return length;
    }

    /** Whether the comment line that just ended (between statements) starts with {@code prefix}. */
    boolean commentStartsWith(String prefix) {
        return commentLen >= prefix.length() && at(comment, 0, prefix);
    }

    /** Whether {@code buf} holds the ASCII {@code text} from {@code from} on. */
    private static boolean at(byte[] buf, int from, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (buf[from + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Resets to "between statements", as after a COPY's data. */
    void reset() {
        state = NORMAL;
        inStatement = false;
        prev = '\n';
        prev2 = '\n';
    }

    /**
     * Consumes one byte. Returns {@link #STATEMENT} when it ended a statement (its {@code ;}, or a
     * meta-command's newline), {@link #COMMENT} when it ended a comment line between statements,
     * else {@link #NONE}.
     */
    int next(byte b) {
        int c = b & 0xFF;
        int result = NONE;
        switch (state) {
            case NORMAL -> result = normal(c);
            case SQUOTE -> {
                append(c);
                if (c == '\'') {
                    state = NORMAL; // a doubled '' re-opens at once: the same as staying inside
                }
            }
            case ESQUOTE -> {
                append(c);
                if (c == '\\') {
                    state = ESQUOTE_ESCAPED;
                } else if (c == '\'') {
                    state = NORMAL;
                    closedEString = true;
                    prev2 = prev;
                    prev = c;
                    return NONE;
                }
            }
            case ESQUOTE_ESCAPED -> {
                append(c);
                state = ESQUOTE;
            }
            case DQUOTE -> {
                append(c);
                if (c == '"') {
                    state = NORMAL;
                }
            }
            case LINE_COMMENT -> {
                if (inStatement) {
                    append(c);
                } else if (commentLen < comment.length && c != '\n') {
                    comment[commentLen++] = (byte) c;
                }
                if (c == '\n') {
                    state = NORMAL;
                    result = inStatement ? NONE : COMMENT;
                }
            }
            case BLOCK_COMMENT -> {
                if (inStatement) {
                    append(c);
                }
                if (prev == '*' && c == '/') {
                    if (--blockDepth == 0) {
                        state = NORMAL;
                    }
                    c = ' '; // "*/*" does not open another
                } else if (prev == '/' && c == '*') {
                    blockDepth++;
                    c = ' ';
                }
            }
            case DOLLAR_OPEN -> {
                if (c == '$') {
                    append(c);
                    state = DOLLAR;
                } else if (isIdent(c) && (tagLen > 0 || !isDigit(c)) && tagLen < tag.length) {
                    append(c);
                    tag[tagLen++] = (byte) c;
                } else {
                    state = NORMAL; // "$1" or a lone '$': not a dollar quote
                    result = normal(c);
                }
            }
            case DOLLAR -> {
                append(c);
                if (c == '$') {
                    state = DOLLAR_CLOSE;
                    closeMatch = 0;
                }
            }
            case DOLLAR_CLOSE -> {
                append(c);
                if (closeMatch < tagLen && c == (tag[closeMatch] & 0xFF)) {
                    closeMatch++;
                } else if (closeMatch == tagLen && c == '$') {
                    state = NORMAL;
                    c = ' '; // the closing '$' cannot start another quote
                } else if (c == '$') {
                    closeMatch = 0;
                } else {
                    state = DOLLAR;
                }
            }
            case META -> {
                if (c == '\n') {
                    state = NORMAL;
                    inStatement = false;
                    meta = true;
                    result = STATEMENT;
                } else {
                    append(c);
                }
            }
            case PENDING_DASH -> {
                if (c == '-') {
                    state = LINE_COMMENT;
                    commentLen = 0;
                    comment[commentLen++] = '-';
                    comment[commentLen++] = '-';
                } else {
                    start();
                    append('-');
                    state = NORMAL;
                    result = normal(c);
                }
            }
            case PENDING_SLASH -> {
                if (c == '*') {
                    state = BLOCK_COMMENT;
                    blockDepth = 1;
                    c = ' ';
                } else {
                    start();
                    append('/');
                    state = NORMAL;
                    result = normal(c);
                }
            }
            default -> throw new IllegalStateException("lexer state " + state);
        }
        prev2 = prev;
        prev = c;
        return result;
    }

    static final int NONE = 0;
    static final int STATEMENT = 1;
    static final int COMMENT = 2;

    private int normal(int c) {
        boolean eString = closedEString;
        closedEString = false;
        if (!inStatement) {
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
                return NONE;
            }
            if (c == '-') {
                state = PENDING_DASH;
                return NONE;
            }
            if (c == '/') {
                state = PENDING_SLASH;
                return NONE;
            }
            start();
            if (c == '\\') {
                state = META;
                append(c);
                return NONE;
            }
        }
        append(c);
        switch (c) {
            case ';' -> {
                inStatement = false;
                meta = false;
                return STATEMENT;
            }
            case '\'' -> state = (prev == 'E' || prev == 'e') && !isIdent(prev2) || prev == '\'' && eString
                    ? ESQUOTE : SQUOTE;
            case '"' -> state = DQUOTE;
            case '$' -> {
                if (!isIdent(prev)) {
                    state = DOLLAR_OPEN;
                    tagLen = 0;
                }
            }
            case '-' -> {
                if (prev == '-') {
                    state = LINE_COMMENT;
                }
            }
            case '*' -> {
                if (prev == '/') {
                    state = BLOCK_COMMENT;
                    blockDepth = 1;
                }
            }
            default -> {
                // an ordinary byte of the statement
            }
        }
        return NONE;
    }

    private void start() {
        inStatement = true;
        headLen = 0;
        tailLen = 0;
        length = 0;
    }

    private void append(int c) {
        if (!inStatement) {
            return;
        }
        if (headLen < HEAD) {
            head[headLen++] = (byte) c;
        }
        if (tailLen == TAIL) {
            System.arraycopy(tail, 1, tail, 0, TAIL - 1);
            tailLen--;
        }
        tail[tailLen++] = (byte) c;
        length++;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** Bytes of an unquoted identifier (and of a dollar quote's tag): letters, digits, _, $ and non-ASCII. */
    private static boolean isIdent(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '$' || c >= 0x80;
    }
}
