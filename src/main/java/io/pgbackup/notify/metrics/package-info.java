/**
 * The metrics channels: Pushgateway, a node_exporter textfile, and the daemon's own /metrics
 * registry and server, all in Prometheus' text exposition format.
 *
 * <p>May import: notify, config, log, root.
 */
package io.pgbackup.notify.metrics;
