/**
 * Webhooks: a JSON event (or Slack's {@code {"text": ...}}) per run, HMAC-signed.
 *
 * <p>May import: notify, config, log, root.
 */
package io.pgbackup.notify.webhook;
