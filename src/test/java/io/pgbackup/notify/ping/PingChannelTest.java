package io.pgbackup.notify.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.log.LogTail;
import io.pgbackup.notify.Http;
import io.pgbackup.notify.Kind;
import io.pgbackup.notify.Outcome;
import io.pgbackup.notify.Receiver;
import io.pgbackup.notify.RunInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PingChannelTest {
    @Test
    void urlsFollowTheHealthchecksProtocolAndKeepAQuery() {
        URI base = URI.create("https://hc-ping.com/1234-abcd/");
        assertThat(PingChannel.url(base, "/start", "r1").toString()).isEqualTo("https://hc-ping.com/1234-abcd/start?rid=r1");
        assertThat(PingChannel.url(base, "", "r1").toString()).isEqualTo("https://hc-ping.com/1234-abcd?rid=r1");
        assertThat(PingChannel.url(URI.create("http://kuma:3001/api/push/X?status=up"), "/fail", "r2").toString())
                .isEqualTo("http://kuma:3001/api/push/X/fail?status=up&rid=r2");
    }

    @Test
    void theFailureBodyIsTheErrorLineThenTheNewestLogLinesWithinTenThousandBytes() {
        LogTail.clear();
        for (int i = 0; i < 150; i++) {
            io.pgbackup.log.Console.message("INFO", "line " + i + " " + "x".repeat(100), null, null);
        }
        String body = PingChannel.failure("pgbackup: error: the database went away");
        assertThat(body.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(10_000);
        assertThat(body).startsWith("pgbackup: error: the database went away\n");
        assertThat(body).contains("line 149 ").doesNotContain("line 0 ");
        // the tail is whole lines, newest last
        assertThat(body.strip()).endsWith("x".repeat(100));
        LogTail.clear();
    }

    @Test
    void sendsStartSuccessAndFailWithTheRunsRid() throws Exception {
        try (Receiver rx = new Receiver()) {
            PingChannel ch = new PingChannel(Kind.BACKUP, rx.url("/ping/abc"), new Http(Duration.ofSeconds(5)));
            RunInfo run = new RunInfo("6f1c2b1e-8a8e-4d0e-9c39-3b0f2a6c9d11", Kind.BACKUP, "backup", "h", "s3://b",
                    "p", "db",
                    Instant.now());
            ch.started(run);
            ch.finished(run, Outcome.success(Instant.now(),
                    "backup stem: x.dump 1 MiB in 2.0 s").with(new Outcome.Backup("stem", List.of(), "db", null, null)));
            ch.finished(run, Outcome.failure(5, "STORAGE", "pgbackup: error: store down", Instant.now()));
            List<Receiver.Request> got = rx.requests();
            assertThat(got).extracting(Receiver.Request::path).containsExactly("/ping/abc/start", "/ping/abc",
                    "/ping/abc/fail");
            assertThat(got).extracting(Receiver.Request::rid).containsOnly(run.runId());
            assertThat(got.get(1).text()).isEqualTo("backup stem: x.dump 1 MiB in 2.0 s");
            assertThat(got.get(2).text()).startsWith("pgbackup: error: store down");
            assertThat(ch.wants(Kind.BACKUP)).isTrue();
            assertThat(ch.wants(Kind.DRILL)).isFalse();
            assertThat(ch.describe()).isEqualTo("backup ping to " + Http.host(rx.url("/"))).doesNotContain("abc");
        }
    }
}
