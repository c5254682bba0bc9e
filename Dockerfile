# pgbackup container image.
#
#   docker build -t pgbackup .                                          # client tools of 13 to 18
#   docker build --build-arg PG_MAJORS="15 16" --build-arg PG_MAJOR=16 -t pgbackup:15-16 .
#   podman build --pull=never --build-arg PG_MAJORS="13 15 17 18" -t pgbackup .   # Debian-only bases
#
# The final image is the official postgres image of PG_MAJOR (the newest major it serves) plus the
# client tools (pg_dump, pg_dumpall, pg_restore, psql) of every major in PG_MAJORS, a jlink'ed Java
# runtime and the fat jar. Each server is dumped by its own major's pg_dump, so its archive
# restores into that major and every newer one (README, "PostgreSQL versions"); pg_dump refuses
# servers newer than itself, so PG_MAJOR is the newest server to back up. The official images
# carry the PGDG apt repository, which packages every major; on a base without it,
# deploy/pg-clients.sh takes what Debian packages (13, 15, 17, 18) and fails the build for the
# rest. No secrets are baked in: PG_URI and the AWS keys come from the environment at run time.

ARG PG_MAJOR=18
ARG PG_MAJORS="13 14 15 16 17 18"

# ---------------------------------------------------------------------------------------------
# Stage 1: build the fat jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# Dependencies first, in their own layer: only a pom.xml change invalidates it. Running the
# real `package` on an empty source tree resolves exactly the artifacts and plugins that the
# offline build below needs; `dependency:go-offline` resolves a different set here (it misses
# some of s3proxy's managed transitive test dependencies), so `-o` would then fail.
# /root/.m2 is a build cache mount: it is not part of any layer.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q package -DskipTests \
 && rm -rf target

COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -o -q package -DskipTests \
 && cp target/pgbackup.jar /pgbackup.jar

# ---------------------------------------------------------------------------------------------
# Stage 2: a small Java runtime with only the modules pgbackup needs.
FROM maven:3.9-eclipse-temurin-17 AS jre
# jlink needs the JDK's jmods: Temurin and the Debian JDK of the stand-in image include them;
# JDKs packaged without them get Debian's openjdk-17-jmods.
RUN if ! ls "$JAVA_HOME"/jmods/java.base.jmod >/dev/null 2>&1; then \
        apt-get update -q && apt-get install -y -q --no-install-recommends openjdk-17-jmods \
        && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /pgbackup.jar /tmp/pgbackup.jar
# jdeps finds the statically referenced modules. Added by hand: those reached only through
# services or reflection (EC TLS cipher suites, JNDI in the JDBC driver, JMX, sun.misc.Signal).
# Left out: java.desktop (~10 MB). Only the JDBC driver's PGpoint(java.awt.Point) helpers and
# Jackson's optional java.beans annotations (@ConstructorProperties, @Transient) refer to it;
# pgbackup uses neither, and Jackson loads that support reflectively and skips it when absent.
# "-Xshare:dump" writes the runtime's default CDS archive (JDK classes, 12 MB): it cuts the
# start-up of `--help` by about a third. The build fails here if the runtime cannot start pgbackup.
RUN set -eu; \
    found=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 /tmp/pgbackup.jar); \
    modules=$(echo "$found,jdk.unsupported,java.sql,java.naming,jdk.crypto.ec,java.management" \
              | tr ',' '\n' | grep -vx 'java.desktop' | sort -u | paste -sd, -); \
    echo "jlink modules: $modules"; \
    jlink --add-modules "$modules" \
          --strip-debug --no-header-files --no-man-pages --compress=2 \
          --output /opt/jre; \
    /opt/jre/bin/java -Xshare:dump -version >/dev/null; \
    /opt/jre/bin/java -jar /tmp/pgbackup.jar --help >/dev/null

# ---------------------------------------------------------------------------------------------
# Stage 3: the runtime image. It inherits the base's VOLUME for PGDATA, which it never uses
# (docker/podman run --rm removes that anonymous volume again).
FROM postgres:${PG_MAJOR}
ARG PG_MAJOR
ARG PG_MAJORS

# The other majors' client tools first: they change less often than pgbackup.
COPY deploy/pg-clients.sh /usr/local/lib/pgbackup/pg-clients.sh
RUN sh /usr/local/lib/pgbackup/pg-clients.sh "$PG_MAJOR" $PG_MAJORS

# JVM flags for a 256 MB machine (the whole backup process tree peaks under 190 MiB). C2 stays
# on because its SHA-256 intrinsics hash the uploads ~40x faster than C1 code; the Tier4
# thresholds keep C2 to the really hot loops (hashing, copies), so start-up code is not
# recompiled (measured: ~2 s less JVM CPU per scale-1 backup than default tiered thresholds).
# PBKDF2KeyImpl::deriveKey (the JDBC driver's SCRAM-SHA-256 login, 4096 HMAC rounds per
# connection) is left out of compilation: a few connections make its loop hot, and C2 then spends
# 31 MB of compiler arena on it (JDK 25's MemStat), which glibc keeps; a server backup opens a
# connection per database: its peak RSS fell 14-20 MiB. Interpreting that loop costs 2-8 ms on
# each of the first logins, nothing after (measured: 4.8 ms a login either way once warm).
# The same for the HTTP client's SessionOutputBufferImpl::write (Apache HttpCore 5): C2 took 17 MB
# of arena for it (MemStat), +10 MiB of peak RSS over the Apache 4 client; left to the interpreter
# (it is called a few thousand times per part, each copying many KiB), the peak is back to the Apache
# 4 client's (175 vs 176 MiB) at the same CPU (8.43 vs 8.39 s, scale 1).
# TrimNativeHeapInterval returns freed malloc memory to the OS every second (~5 MiB at the peak).
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:$PATH \
    JAVA_OPTS="-XX:+UseSerialGC -Xmx64m -XX:MaxMetaspaceSize=48m -Xss512k -XX:ReservedCodeCacheSize=24m -XX:CICompilerCount=2 -XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=20000 -XX:Tier4CompileThreshold=60000 -XX:Tier4BackEdgeThreshold=400000 -XX:CompileCommand=quiet -XX:CompileCommand=exclude,com.sun.crypto.provider.PBKDF2KeyImpl::deriveKey -XX:CompileCommand=exclude,org.apache.hc.core5.http.impl.io.SessionOutputBufferImpl::write -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=1000"

COPY --from=jre /opt/jre /opt/java
COPY --from=build /pgbackup.jar /app/pgbackup.jar

# AppCDS: a dynamic archive of the classes `--help` loads (1.4 MB), made in this very image so
# it matches the jar's path and timestamp; run-backup.sh passes it to the JVM when present (a
# stale or missing archive costs only start-up time). Measured on the CI machine (loaded):
# --help 714 -> 610 ms, start of a backup up to its first connection 3.1 -> 2.7 s. An archive
# trained on a whole backup start (S3 client, JDBC) starts backups in 1.7 s but weighs 16 MB,
# which breaks the 80 MB budget over the postgres base. picocli's classes (Java 5 class files)
# cannot be archived at all.
RUN java $JAVA_OPTS -XX:-UsePerfData -XX:ArchiveClassesAtExit=/app/pgbackup.jsa -Xlog:disable \
         -jar /app/pgbackup.jar --help >/dev/null \
 && test -s /app/pgbackup.jsa && chmod 0444 /app/pgbackup.jsa

COPY run-backup.sh /usr/local/bin/run-backup.sh

# The working directory is writable by postgres (uid 999): without S3_BUCKET, backups go to
# ./backups, i.e. /var/lib/pgbackup/backups (mount a volume there to keep them).
RUN chmod 0755 /usr/local/bin/run-backup.sh \
 && mkdir -p /var/lib/pgbackup/backups \
 && chown -R postgres:postgres /var/lib/pgbackup

WORKDIR /var/lib/pgbackup
USER postgres

# pgbackup handles SIGTERM and SIGINT alike (abort uploads, exit 130); the base says SIGINT.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/run-backup.sh"]
# Reset the base image's CMD ["postgres"]: no arguments means backup (or tick with BACKUP_CRON).
CMD []
