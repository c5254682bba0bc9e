package io.pgbackup.pg;

/**
 * A table as the source database describes it at backup time: the estimate from
 * {@code pg_class.reltuples} (-1 when never analyzed) and, when counted, the exact row count.
 */
public record TableInfo(String schema, String name, long rowEstimate, Long rowCount) {}
