package io.pgbackup.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** One logger: every event becomes one line on stderr, text or JSON (ECS field names). */
final class LineLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneOffset.UTC);
    private static final JsonFactory JSON = new JsonFactory();
    private final String shortName;

    LineLogger(String name) {
        this.name = name;
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
    }

    private boolean on(Level l) {
        return l.toInt() >= LogConfig.levelOf(name).toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return on(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return on(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return on(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return on(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return on(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args, Throwable t) {
        write(level, MessageFormatter.basicArrayFormat(msg, args), t, List.of());
    }

    /** The fluent API ({@code log.atInfo().addKeyValue(...)}): key-values become JSON fields. */
    @Override
    public void log(LoggingEvent e) {
        if (!on(e.getLevel())) {
            return;
        }
        Object[] args = e.getArgumentArray();
        String msg = args == null ? e.getMessage() : MessageFormatter.basicArrayFormat(e.getMessage(), args);
        write(e.getLevel(), msg, e.getThrowable(), e.getKeyValuePairs() == null ? List.of() : e.getKeyValuePairs());
    }

    private void write(Level level, String message, Throwable t, List<KeyValuePair> fields) {
        Instant now = Instant.now();
        String line = LogConfig.format() == LogConfig.Format.JSON
                ? json(now, level, message, t, fields)
                : TIME.format(now) + " " + level + " " + shortName + " - " + message + (t == null ? "" : " (" + t + ")");
        LogTail.add(line);
        Console.line(line);
    }

    private String json(Instant now, Level level, String message, Throwable t, List<KeyValuePair> fields) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("@timestamp", TIME.format(now));
            g.writeStringField("log.level", level.toString());
            g.writeStringField("message", message);
            g.writeStringField("log.logger", name);
            for (KeyValuePair kv : fields) {
                Object v = kv.value;
                if (v instanceof Number n) {
                    if (n instanceof Double || n instanceof Float) {
                        g.writeNumberField(kv.key, n.doubleValue());
                    } else {
                        g.writeNumberField(kv.key, n.longValue());
                    }
                } else if (v instanceof Boolean b) {
                    g.writeBooleanField(kv.key, b);
                } else {
                    g.writeStringField(kv.key, String.valueOf(v));
                }
            }
            if (t != null) {
                g.writeStringField("error.type", t.getClass().getName());
                g.writeStringField("error.message", String.valueOf(t.getMessage()));
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                g.writeStringField("error.stack_trace", trace.toString());
            }
            g.writeEndObject();
        } catch (IOException e) {
            return "{\"message\":\"cannot write a log line\"}";
        }
        return w.toString();
    }
}
