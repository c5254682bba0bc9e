package io.pgbackup.it;

import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** Testcontainers' PostgreSQLContainer running the official image of the requested major. */
final class ContainerPgServer extends PgServer {
    private final PostgreSQLContainer<?> container;
    private final int major;

    ContainerPgServer(int major) {
        this.major = major;
        container = new PostgreSQLContainer<>(DockerImageName.parse("postgres:" + major))
                .withUsername(USER).withPassword(PASSWORD).withDatabaseName("postgres");
        container.start();
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(5432);
    }

    @Override
    public int major() {
        return major;
    }

    @Override
    void stop() {
        container.stop();
    }
}
