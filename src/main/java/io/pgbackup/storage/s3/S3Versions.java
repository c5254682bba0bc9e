package io.pgbackup.storage.s3;

import io.pgbackup.storage.ObjectLockedException;
import io.pgbackup.storage.ObjectNotFoundException;
import io.pgbackup.storage.ObjectVersion;
import io.pgbackup.storage.Protection;
import io.pgbackup.storage.ResumingInputStream;
import io.pgbackup.storage.Retention;
import io.pgbackup.storage.Versions;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DefaultRetention;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetBucketVersioningRequest;
import software.amazon.awssdk.services.s3.model.GetObjectLockConfigurationRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRetentionRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;

/** The versions of an S3 bucket, through the store's retry policy and failure translation. */
final class S3Versions implements Versions {
    private final S3ObjectStore store;
    private final S3Client s3;
    private final String bucket;

    S3Versions(S3ObjectStore store, S3Client s3, String bucket) {
        this.store = store;
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public List<ObjectVersion> list(String prefix) throws IOException {
        List<ObjectVersion> out = new ArrayList<>();
        String keyMarker = null;
        String versionMarker = null;
        do {
            ListObjectVersionsRequest.Builder req = ListObjectVersionsRequest.builder().bucket(bucket).prefix(prefix);
            if (keyMarker != null) {
                req.keyMarker(keyMarker).versionIdMarker(versionMarker);
            }
            var page = store.call("list versions", prefix, () -> s3.listObjectVersions(req.build()));
            for (software.amazon.awssdk.services.s3.model.ObjectVersion v : page.versions()) {
                out.add(new ObjectVersion(v.key(), v.versionId(), v.size() == null ? 0 : v.size(), v.lastModified(),
                        false, Boolean.TRUE.equals(v.isLatest())));
            }
            for (DeleteMarkerEntry d : page.deleteMarkers()) {
                out.add(new ObjectVersion(d.key(), d.versionId(), 0, d.lastModified(), true,
                        Boolean.TRUE.equals(d.isLatest())));
            }
            boolean more = Boolean.TRUE.equals(page.isTruncated());
            keyMarker = more ? page.nextKeyMarker() : null;
            versionMarker = more ? page.nextVersionIdMarker() : null;
        } while (keyMarker != null);
        // The versions and the delete markers come as two lists: one order, the current one first.
        out.sort(Comparator.comparing(ObjectVersion::key).thenComparing(ObjectVersion::latest, Comparator.reverseOrder())
                .thenComparing(ObjectVersion::lastModified, Comparator.reverseOrder()));
        return out;
    }

    @Override
    public InputStream get(String key, String versionId, long offset) throws IOException {
        ResponseInputStream<GetObjectResponse> first = open(key, versionId, offset);
        return new ResumingInputStream(key, first, at -> open(key, versionId, offset + at), store.policy());
    }

    private ResponseInputStream<GetObjectResponse> open(String key, String versionId, long offset) throws IOException {
        GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(bucket).key(key).versionId(versionId);
        if (offset > 0) {
            req.range("bytes=" + offset + "-");
        }
        try {
            return store.call("get version", key, () -> s3.getObject(req.build()));
        } catch (S3Failures.Failure f) {
            if (f.status() == 404) {
                throw new ObjectNotFoundException(key + " (version " + versionId + ")");
            }
            throw f;
        }
    }

    @Override
    public void delete(String key, String versionId) throws IOException {
        try {
            store.call("delete version", key, () -> s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key)
                    .versionId(versionId).build()));
        } catch (S3Failures.Failure f) {
            if (f.status() == 404) {
                return;
            }
            if (f.status() == 403) {
                Optional<Retention> r = retention(key, versionId);
                if (r.isPresent() && r.get().holdsAt(Instant.now())) {
                    throw new ObjectLockedException(key + " (version " + versionId + ") is locked ("
                            + r.get().mode().label() + ") until " + r.get().until());
                }
            }
            throw f;
        }
    }

    @Override
    public Optional<Retention> retention(String key, String versionId) throws IOException {
        try {
            ObjectLockRetention r = store.call("get retention", key, () -> s3.getObjectRetention(
                    GetObjectRetentionRequest.builder().bucket(bucket).key(key).versionId(versionId).build())).retention();
            if (r == null || r.mode() == null || r.retainUntilDate() == null) {
                return Optional.empty();
            }
            return Optional.of(new Retention(Retention.Mode.valueOf(r.modeAsString()), r.retainUntilDate()));
        } catch (S3Failures.Failure f) {
            // No retention on the version, or no Object Lock on the bucket (InvalidRequest).
            if (f.status() == 404 || f.status() == 400) {
                return Optional.empty();
            }
            throw f;
        }
    }

    @Override
    public Protection protection() throws IOException {
        String versioning;
        try {
            versioning = store.call("get versioning", "", () -> s3.getBucketVersioning(
                    GetBucketVersioningRequest.builder().bucket(bucket).build())).statusAsString();
        } catch (S3Failures.Failure f) {
            if (f.status() != 501) {
                throw f;
            }
            versioning = null; // a store without versioning (it says NotImplemented)
        }
        ObjectLockConfiguration lock;
        try {
            lock = store.call("get object lock configuration", "", () -> s3.getObjectLockConfiguration(
                    GetObjectLockConfigurationRequest.builder().bucket(bucket).build())).objectLockConfiguration();
        } catch (S3Failures.Failure f) {
            // No configuration, or a store without Object Lock at all (s3proxy: 501 NotImplemented).
            if (f.status() == 404 || f.status() == 501 || "ObjectLockConfigurationNotFoundError".equals(f.code())) {
                return new Protection(versioning, false, null, null);
            }
            throw f;
        }
        boolean enabled = lock != null && "Enabled".equals(lock.objectLockEnabledAsString());
        DefaultRetention d = lock == null || lock.rule() == null ? null : lock.rule().defaultRetention();
        if (d == null || d.mode() == null) {
            return new Protection(versioning, enabled, null, null);
        }
        Duration length = d.days() != null ? Duration.ofDays(d.days())
                : d.years() != null ? Duration.ofDays(365L * d.years()) : null;
        return new Protection(versioning, enabled, Retention.Mode.valueOf(d.modeAsString()), length);
    }
}
