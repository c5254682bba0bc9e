package io.pgbackup.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.definition.FieldDefinition;
import com.cronutils.parser.CronParser;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the text an operator wrote into a cron-utils {@link Cron}: 5-field Unix cron, the usual
 * {@code @} macros, or 6 fields with a leading seconds field. Package-private; callers use
 * {@link CronSchedule#parse}.
 */
final class CronSyntax {
    private CronSyntax() {}

    /** What {@link #parse} understood: the cron and the (macro-expanded) fields it came from. */
    record Parsed(Cron cron, String[] fields, boolean hasSeconds) {}

    // cron-utils' UNIX definition rejects nicknames ("Nicknames not supported!"), so the macros
    // are expanded here to their classic Vixie-cron equivalents.
    private static final Map<String, String> MACROS = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");

    private static final CronDefinition UNIX = CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX);
    private static final CronParser UNIX_PARSER = new CronParser(UNIX);
    private static final CronParser SECONDS_PARSER = new CronParser(unixWithSeconds());

    static Parsed parse(String raw) {
        String expression = raw.trim();
        String expanded = expression;
        if (expression.startsWith("@")) {
            expanded = MACROS.get(expression.toLowerCase(Locale.ROOT));
            if (expanded == null) {
                throw new InvalidScheduleException(expression, "unknown macro; supported are "
                        + "@hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually");
            }
        }
        String[] fields = expanded.isEmpty() ? new String[0] : expanded.split("\\s+");
        if (fields.length != 0 && fields.length != 5 && fields.length != 6) {
            // cron-utils would say "expect one of [5]", which is misleading since 6 fields
            // (leading seconds) are accepted too.
            throw new InvalidScheduleException(expression, "expected 5 fields (minute hour "
                    + "day-of-month month day-of-week) or 6 with a leading seconds field, got "
                    + fields.length);
        }
        boolean hasSeconds = fields.length == 6;
        try {
            Cron cron = (hasSeconds ? SECONDS_PARSER : UNIX_PARSER).parse(String.join(" ", fields));
            return new Parsed(cron.validate(), fields, hasSeconds);
        } catch (IllegalArgumentException e) {
            throw new InvalidScheduleException(expression, String.valueOf(e.getMessage()));
        }
    }

    /**
     * The UNIX definition with a seconds field in front. The other fields are copied from
     * cron-utils' own UNIX definition, so both forms accept exactly the same specials, ranges
     * and day-of-month/day-of-week semantics.
     */
    private static CronDefinition unixWithSeconds() {
        CronDefinitionBuilder builder = CronDefinitionBuilder.defineCron().withSeconds().and();
        UNIX.getFieldDefinitions().stream()
                .sorted(Comparator.comparingInt((FieldDefinition f) -> f.getFieldName().getOrder()))
                .forEach(builder::register);
        if (UNIX.isMatchDayOfWeekAndDayOfMonth()) {
            builder.matchDayOfWeekAndDayOfMonth();
        }
        UNIX.getCronConstraints().forEach(builder::withCronValidation);
        return builder.instance();
    }
}
