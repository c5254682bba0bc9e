package io.pgbackup.config;

import io.pgbackup.PgBackupException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting's text and where it came from (a flag or an environment variable), so that an error
 * names exactly what the operator has to fix. Precedence: the flag, then each environment
 * variable in order, then the default. Every {@code as...} parser fails with exit 2 (a
 * configuration error) naming the setting and what it accepts.
 */
public record Setting(String value, String source) {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    /** The flag's value when given, else the first variable of {@code vars} set in {@code env}, else the default. */
    public static Setting resolve(Map<String, String> env, String flag, String flagValue, String defaultValue,
            String... vars) {
        if (flagValue != null && !flagValue.isBlank()) {
            return new Setting(flagValue, flag);
        }
        for (String v : vars) {
            String s = env.get(v);
            if (s != null && !s.isBlank()) {
                return new Setting(s, v);
            }
        }
        return new Setting(defaultValue, flag);
    }

    public boolean isSet() {
        return value != null && !value.isBlank();
    }

    /** The value without surrounding blanks. */
    public String text() {
        return value == null ? null : value.strip();
    }

    /** true/false, 1/0, yes/no, on/off; a flag given without a value is true. */
    public boolean asBool() {
        return switch (value == null ? "true" : value.strip().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw invalid("must be true or false");
        };
    }

    public int asPositiveInt() {
        return asInt(1, Integer.MAX_VALUE, "must be a positive whole number");
    }

    public int asInt(int min, int max) {
        return asInt(min, max, "must be a whole number from " + min + " to " + max);
    }

    private int asInt(int min, int max, String expected) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // the message below
        }
        throw invalid(expected);
    }

    /** A {@link Durations} text; "0" is zero when {@code zeroOk}, and zero is refused otherwise. */
    public Duration asDuration(boolean zeroOk) {
        String v = value == null ? "" : value.strip();
        if (zeroOk && v.equals("0")) {
            return Duration.ZERO;
        }
        try {
            Duration d = Durations.parse(v);
            if (!d.isNegative() && (zeroOk || !d.isZero())) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            // the message below
        }
        throw invalid("must be a duration such as 30s, 10m, 2h or 1d");
    }

    /** A {@link Durations} text (zero allowed), or null when unset; the error quotes the syntax expected. */
    public Duration asOptionalDuration() {
        if (!isSet()) {
            return null;
        }
        try {
            return Durations.parse(value.strip());
        } catch (IllegalArgumentException e) {
            throw PgBackupException.config(source + ": " + e.getMessage());
        }
    }

    /** A byte size as operators write it: {@code 8MiB}, {@code 16M}, {@code 1GiB}, {@code 5242880}. */
    public long asBytes() {
        Matcher m = SIZE.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            throw invalid("must be a size such as 8MiB or 16M");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    /** One of {@code type}'s constants, named in any case ({@code zstd}, {@code ZSTD}). */
    public <E extends Enum<E>> E asEnum(Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (value != null && e.name().equalsIgnoreCase(value.strip())) {
                return e;
            }
        }
        throw invalid("must be one of " + String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList()));
    }

    /** Exit 2: "SOURCE must ...; got 'VALUE'". Not for secrets: use {@link PgBackupException#config} without the value. */
    public PgBackupException invalid(String mustBe) {
        return PgBackupException.config(source + " " + mustBe + "; got '" + (value == null ? "" : value) + "'");
    }
}
