package io.pgbackup.pg;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a file of SQL statements on the semicolons that end statements, the way psql does: not
 * on those inside string literals ({@code '...'}, {@code E'...'}), quoted identifiers
 * ({@code "..."}), dollar-quoted bodies ({@code $$...$$}, {@code $tag$...$tag$}) or comments
 * ({@code -- ...}, nested {@code /* ... *}{@code /}). Comments are dropped; empty statements too.
 */
public final class SqlScript {
    private SqlScript() {}

    public static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                cur.append(' ');
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int depth = 0;
                do {
                    if (sql.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (sql.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                } while (depth > 0 && i < n);
                cur.append(' ');
            } else if (c == '\'' || c == '"') {
                boolean escapes = c == '\'' && i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !Character.isLetterOrDigit(sql.charAt(i - 2)));
                int end = i + 1;
                while (end < n) {
                    char d = sql.charAt(end);
                    if (escapes && d == '\\' && end + 1 < n) {
                        end += 2;
                    } else if (d == c) {
                        if (end + 1 < n && sql.charAt(end + 1) == c) {
                            end += 2; // doubled quote inside the literal
                        } else {
                            break;
                        }
                    } else {
                        end++;
                    }
                }
                cur.append(sql, i, Math.min(n, end + 1));
                i = end + 1;
            } else if (c == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int close = sql.indexOf(tag, i + tag.length());
                int end = close < 0 ? n : close + tag.length();
                cur.append(sql, i, end);
                i = end;
            } else if (c == ';') {
                add(out, cur);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        add(out, cur);
        return out;
    }

    /** {@code $$} or {@code $tag$} starting at {@code i}, or null (a parameter such as {@code $1}). */
    private static String dollarTag(String sql, int i) {
        if (i > 0 && (Character.isLetterOrDigit(sql.charAt(i - 1)) || sql.charAt(i - 1) == '_')) {
            return null; // part of an identifier like a$b
        }
        int j = i + 1;
        while (j < sql.length() && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_'
                || j > i + 1 && Character.isDigit(sql.charAt(j)))) {
            j++;
        }
        return j < sql.length() && sql.charAt(j) == '$' ? sql.substring(i, j + 1) : null;
    }

    private static void add(List<String> out, StringBuilder cur) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
        cur.setLength(0);
    }
}
