package io.pgbackup.pipeline.age;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text formats of age's key files: one key per line, {@code #} comments and blank lines ignored. */
final class AgeKeys {
    static final String SECRET_PREFIX = "AGE-SECRET-KEY-";
    static final String RECIPIENT_PREFIX = "age1";

    private AgeKeys() {}

    /** A key with where it came from, for messages that must not echo secrets. */
    record Item(String text, String source) {}

    /** The keys of an age recipients or identities file ({@code age -R}, {@code age -i}). */
    static List<Item> fileLines(String text, String source) {
        List<Item> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                out.add(new Item(l, source + " line " + (i + 1)));
            }
        }
        return out;
    }

    /** Keys separated by commas, blanks or newlines (a variable or a flag); {@code #} comments allowed. */
    static List<Item> list(String text, String source) {
        List<Item> out = new ArrayList<>();
        int n = 0;
        for (Item line : fileLines(text, source)) {
            for (String k : line.text().split("[,\\s]+")) {
                if (!k.isBlank()) {
                    out.add(new Item(k.strip(), source + " item " + ++n));
                }
            }
        }
        return out;
    }

    static boolean looksSecret(String k) {
        return k.toUpperCase(Locale.ROOT).startsWith(SECRET_PREFIX);
    }
}
