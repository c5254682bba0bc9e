package io.pgbackup.cli;

import io.pgbackup.manifest.ManifestCodec;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/** What commands print: one JSON document for scripts, or lines for people. */
final class Print {
    private Print() {}

    static <T> void jsonOrText(PrintWriter out, boolean json, T value, BiConsumer<T, PrintWriter> text) {
        if (json) {
            out.println(new String(ManifestCodec.encode(value), StandardCharsets.UTF_8));
        } else {
            text.accept(value, out);
        }
        out.flush();
    }
}
