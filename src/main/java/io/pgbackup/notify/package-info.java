/**
 * Telling someone about every unattended run, through channels people already run: the port
 * ({@link io.pgbackup.notify.Channel}: a run started, a run ended with its outcome) and the
 * {@link io.pgbackup.notify.Notifier} that fans events out to every configured adapter
 * ({@code ping}: the healthchecks.io protocol; {@code webhook}: JSON or Slack, HMAC-signed;
 * {@code metrics}: Pushgateway, a node_exporter textfile, the daemon's /metrics). Every send is
 * bounded and isolated: a failing channel logs one warning and is counted, it never fails or
 * stalls the run. {@link io.pgbackup.notify.NotifyConfig} reads the channels' settings.
 *
 * <p>May import: its adapters (ping, webhook, metrics), config, log, root.
 */
package io.pgbackup.notify;
