package io.pgbackup.backup.inspect;

import io.pgbackup.health.Facts;
import io.pgbackup.health.Health;
import io.pgbackup.health.Status;
import io.pgbackup.health.StatusPolicy;
import io.pgbackup.manifest.DrillReport;
import io.pgbackup.manifest.KeyLayout;
import io.pgbackup.manifest.Manifest;
import io.pgbackup.manifest.ManifestCodec;
import io.pgbackup.repo.Catalog;
import io.pgbackup.repo.PrefixLock;
import io.pgbackup.repo.StemClaim;
import io.pgbackup.storage.ObjectInfo;
import io.pgbackup.storage.ObjectLock;
import io.pgbackup.storage.ObjectVersion;
import io.pgbackup.storage.Protection;
import io.pgbackup.storage.Versions;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.PendingUpload;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what {@code status} and {@code report} judge, from the store alone (no database): the
 * manifests of a window, the drill reports, interrupted stems with their pending uploads, and the
 * lock. One listing of the prefix, the window's manifests, the newest drill report (all of the
 * window's for the report), the lease: cheap enough to run every hour.
 */
public record StatusService(Catalog catalog, Clock clock, ObjectLock expected) {
    /** Without checking the bucket's protection (the report's charts). */
    public StatusService(Catalog catalog, Clock clock) {
        this(catalog, clock, null);
    }

    /** Status reads this far back (and at least the history it compares with). */
    static final Duration STATUS_WINDOW = Duration.ofDays(35);

    /** What was read: the facts, and the manifests and reports behind them (the report draws them). */
    public record Snapshot(Health.Input input, List<Manifest> backups, List<DrillReport> drills) {}

    public Status status(StatusPolicy policy) {
        return Health.evaluate(read(clock.instant().minus(STATUS_WINDOW), policy.history() + 1, false).input(), policy);
    }

    /** The facts of the backups started since {@code from} (at least the newest {@code atLeast}). */
    public Snapshot read(Instant from, int atLeast, boolean allDrills) {
        Instant now = clock.instant();
        Catalog.Window w = catalog.window(from, atLeast, allDrills);
        PrefixLock.Lease lease = lease();
        Facts.Lock lock = lease == null ? null : new Facts.Lock(lease.holder() == null ? "?" : lease.holder().toString(),
                lease.command(), lease.startedAt(), lease.renewedAt(), lease.expiresAt());
        String liveLease = lease != null && lease.expiresAt() != null && lease.expiresAt().isAfter(now) ? lease.id() : null;
        List<Facts.Debris> debris = debris(w, liveLease, now);
        Health.Input in = new Health.Input(w.backups().stream().map(Facts.Backup::of).toList(),
                w.drills().stream().map(Facts.Drill::of).toList(), debris,
                (int) w.unreadable().stream().filter(u -> !u.newerFormat()).count(), lock, now, protection());
        return new Snapshot(in, w.backups(), w.drills());
    }

    /**
     * What the bucket does to keep backups (versioning, Object Lock, default retention), what its
     * noncurrent versions hold, and the backups deleted but kept as versions. Null where there is
     * nothing to judge: a store without versions, or a bucket with neither versioning nor a lock
     * when pgbackup expects none.
     */
    private Facts.Protection protection() {
        if (expected == null || catalog.store().versions().isEmpty()) {
            return null;
        }
        Versions v = catalog.store().versions().get();
        String mode = expected.on() ? expected.mode().label() : "off";
        Protection p;
        try {
            p = v.protection();
        } catch (IOException e) {
            return expected.on() ? new Facts.Protection(mode, expected.lockFor(), e.getMessage(), null, false, null, null,
                    0, 0, List.of()) : null;
        }
        if (!expected.on() && p.versioning() == null && !p.objectLock()) {
            return null;
        }
        long bytes = 0;
        int count = 0;
        List<Facts.Hidden> hidden = new ArrayList<>();
        try {
            String key = null;
            boolean markerFirst = false;
            for (ObjectVersion o : v.list(catalog.layout().root())) { // keys ascending, current first
                boolean first = !o.key().equals(key);
                if (first) {
                    key = o.key();
                    markerFirst = o.deleteMarker();
                }
                if (!o.latest() && !o.deleteMarker()) {
                    count++;
                    bytes += o.size();
                    if (markerFirst && catalog.layout().manifestStem(o.key()).isPresent()
                            && hidden.stream().noneMatch(h -> h.stem().equals(catalog.layout().manifestStem(o.key()).get()))) {
                        hidden.add(new Facts.Hidden(catalog.layout().manifestStem(o.key()).get(), deletedAt(v, o.key())));
                    }
                }
            }
        } catch (IOException e) {
            return new Facts.Protection(mode, expected.lockFor(), e.getMessage(), p.versioning(), p.objectLock(),
                    null, null, 0, 0, List.of());
        }
        hidden.sort(java.util.Comparator.comparing(Facts.Hidden::stem).reversed());
        return new Facts.Protection(mode, expected.lockFor(), null, p.versioning(), p.objectLock(),
                p.defaultMode() == null ? null : p.defaultMode().label(), p.defaultRetention(), bytes, count, hidden);
    }

    /** When {@code key}'s current delete marker was written. */
    private static Instant deletedAt(Versions v, String key) throws IOException {
        for (ObjectVersion o : v.list(key)) {
            if (o.key().equals(key) && o.latest()) {
                return o.lastModified();
            }
        }
        return Instant.EPOCH;
    }

    /** Stems with objects or pending uploads and no manifest, in the last two days. */
    private List<Facts.Debris> debris(Catalog.Window w, String liveLease, Instant now) {
        KeyLayout layout = catalog.layout();
        Map<String, List<ObjectInfo>> byStem = new LinkedHashMap<>();
        java.util.Set<String> complete = new java.util.HashSet<>();
        for (ObjectInfo o : w.objects()) {
            layout.stemOf(o.key()).ifPresent(s -> byStem.computeIfAbsent(s, k -> new ArrayList<>()).add(o));
            layout.manifestStem(o.key()).ifPresent(complete::add);
        }
        Map<String, List<PendingUpload>> pending = new HashMap<>();
        for (PendingUpload u : w.pending()) {
            layout.stemOf(u.key()).ifPresent(s -> {
                pending.computeIfAbsent(s, k -> new ArrayList<>()).add(u);
                byStem.computeIfAbsent(s, k -> new ArrayList<>());
            });
        }
        Instant since = now.minus(Duration.ofDays(2));
        List<Facts.Debris> out = new ArrayList<>();
        byStem.forEach((stem, objects) -> {
            Instant started = KeyLayout.instantOf(stem);
            if (complete.contains(stem) || started.isBefore(since)) {
                return;
            }
            List<PendingUpload> up = pending.getOrDefault(stem, List.of());
            long bytes = objects.stream().mapToLong(ObjectInfo::size).sum() + up.stream().mapToLong(u -> Math.max(0, u.bytes())).sum();
            boolean running = liveLease != null && liveLease.equals(markerLease(layout.markerKey(stem), objects));
            out.add(new Facts.Debris(stem, started, bytes, up.size(), running));
        });
        out.sort(java.util.Comparator.comparing(Facts.Debris::startedAt).reversed());
        return out;
    }

    private String markerLease(String key, List<ObjectInfo> objects) {
        if (objects.stream().noneMatch(o -> o.key().equals(key))) {
            return null;
        }
        try (InputStream in = catalog.store().get(key)) {
            return ManifestCodec.mapper().readValue(in, StemClaim.Marker.class).leaseId();
        } catch (IOException e) {
            return null;
        }
    }

    /** The lease as stored (an unreadable one as expired), or null when the lock is free. */
    private PrefixLock.Lease lease() {
        try (InputStream in = catalog.store().get(catalog.layout().lockKey())) {
            return ManifestCodec.mapper().readValue(in, PrefixLock.Lease.class);
        } catch (ObjectNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            return new PrefixLock.Lease("?", null, "unreadable lease", null, null, Instant.EPOCH);
        } catch (IOException e) {
            throw new io.pgbackup.PgBackupException(io.pgbackup.ExitCode.STORAGE, "cannot read the lock "
                    + catalog.layout().lockKey() + ": " + e.getMessage(), e);
        }
    }
}
