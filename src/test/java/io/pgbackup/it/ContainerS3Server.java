package io.pgbackup.it;

import java.net.URI;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** LocalStack's S3 in a container (the rig's stand-in is s3proxy behind the same interface). */
final class ContainerS3Server extends S3Server {
    private final LocalStackContainer container;

    ContainerS3Server() {
        container = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4"))
                .withServices(LocalStackContainer.Service.S3);
        container.start();
    }

    @Override
    public URI endpoint() {
        return container.getEndpointOverride(LocalStackContainer.Service.S3);
    }

    @Override
    public String accessKey() {
        return container.getAccessKey();
    }

    @Override
    public String secretKey() {
        return container.getSecretKey();
    }

    @Override
    public String region() {
        return container.getRegion();
    }

    @Override
    void stop() {
        container.stop();
    }
}
