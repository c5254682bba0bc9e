package io.pgbackup.pg;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * libpq's URI form, by hand because java.net.URI rejects multi-host authorities
 * ({@code h1:5432,h2:5432}) that libpq accepts.
 */
final class UriParser {
    private UriParser() {}

    /** Parses what follows {@code postgres://}. */
    static Map<String, String> parse(String rest) {
        Map<String, String> p = new LinkedHashMap<>();
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0 && rest.indexOf('@', slash) >= 0) {
            // A raw '/' inside the user info: libpq would misread it too. Never echo any of it.
            throw new IllegalArgumentException("the user name or password contains a raw '/', '@', '?' or '#'; "
                    + "percent-encode them (%2F, %40, %3F, %23)");
        }
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash + 1) : "";
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userinfo.indexOf(':');
            String user = colon >= 0 ? userinfo.substring(0, colon) : userinfo;
            if (!user.isEmpty()) {
                p.put("user", ConnectionString.decode(user));
            }
            if (colon >= 0) {
                p.put("password", ConnectionString.decode(userinfo.substring(colon + 1)));
            }
        }
        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        boolean anyPort = false;
        if (!authority.isEmpty()) {
            for (String hp : authority.split(",", -1)) {
                String host = hp;
                String port = "";
                if (hp.startsWith("[")) {
                    int end = hp.indexOf(']');
                    if (end < 0) {
                        throw new IllegalArgumentException("unterminated IPv6 address in host '" + hp + "'");
                    }
                    host = hp.substring(1, end);
                    port = hp.substring(end + 1).startsWith(":") ? hp.substring(end + 2) : "";
                } else if (hp.indexOf(':') >= 0) {
                    host = hp.substring(0, hp.indexOf(':'));
                    port = hp.substring(hp.indexOf(':') + 1);
                }
                if (!port.isEmpty()) {
                    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
                        // Not echoed: a mis-encoded password can land here.
                        throw new IllegalArgumentException("invalid port in the host list (percent-encode special "
                                + "characters in the password)");
                    }
                    anyPort = true;
                }
                hosts.add(ConnectionString.decode(host));
                ports.add(port);
            }
        }
        if (hosts.stream().anyMatch(h -> !h.isEmpty())) {
            p.put("host", String.join(",", hosts));
        }
        if (anyPort) {
            p.put("port", String.join(",", ports));
        }
        if (!path.isEmpty()) {
            p.put("dbname", ConnectionString.decode(path));
        }
        if (query != null && !query.isEmpty()) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("invalid URI parameter '" + kv + "'");
                }
                p.put(ConnectionString.decode(kv.substring(0, eq)), ConnectionString.decode(kv.substring(eq + 1)));
            }
        }
        return p;
    }

    /** Renders keywords back as a URI, with {@code passwordMask} in place of any password. */
    static String render(Map<String, String> p, String passwordMask) {
        StringBuilder b = new StringBuilder("postgresql://");
        if (p.containsKey("user")) {
            b.append(enc(p.get("user")));
            if (p.containsKey("password")) {
                b.append(':').append(passwordMask);
            }
            b.append('@');
        }
        String[] hosts = p.getOrDefault("host", "").split(",", -1);
        String[] ports = p.getOrDefault("port", "").split(",", -1);
        for (int i = 0; i < hosts.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(hosts[i].contains(":") ? "[" + hosts[i] + "]" : enc(hosts[i]));
            String port = ports.length == 1 ? ports[0] : i < ports.length ? ports[i] : "";
            if (!port.isEmpty()) {
                b.append(':').append(port);
            }
        }
        b.append('/');
        if (p.containsKey("dbname")) {
            b.append(enc(p.get("dbname")));
        }
        String sep = "?";
        for (Map.Entry<String, String> e : p.entrySet()) {
            if (!List.of("user", "password", "host", "port", "dbname").contains(e.getKey())) {
                b.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
                sep = "&";
            }
        }
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
