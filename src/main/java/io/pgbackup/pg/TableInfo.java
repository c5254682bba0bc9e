package io.pgbackup.pg;

/**
 * A table as the source database describes it at backup time: the planner's estimate from
 * {@code pg_class.reltuples} (-1 when never analyzed; never a count) and whether it is a
 * partitioned table (whose rows live in its partitions).
 */
public record TableInfo(String schema, String name, long rowEstimate, boolean partitioned) {}
