# syntax=docker/dockerfile:1
# The archiver image: one jar, every role (node, frontend, migrate, status, export, ...) chosen by the
# command. Needs BuildKit (the default builder of Docker Engine 23 and later, and of `docker compose`).
# How to run it: docs/operations/docker.md.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The Maven repository lives in a BuildKit cache mount, kept between builds whatever changed in the
# sources or in the list of modules (no per-module COPY of pom.xml files to keep in step): a rebuild
# downloads only dependencies it has not seen. Locked: the four archiver services of docker-compose.yml
# build the same image, perhaps at once, and two Mavens must not write one repository together.
# Only the product and the modules it needs (-pl app -am: whatever they are; the lab and its tools
# stay out). The jar is app/target/archiver.jar, as outside Docker.
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    mvn -B -q -DskipTests -pl app -am package

FROM eclipse-temurin:17-jre
# A fixed, unprivileged uid/gid (10001), so that files on volumes and bind mounts have a known owner.
# The data directories exist in the image and belong to that user: an empty named volume mounted on
# one of them starts with that owner and mode. They match docker/node.properties (broker.dir,
# exports.dir) and docker/frontend.properties (spool.dir).
RUN groupadd --gid 10001 archiver \
 && useradd --uid 10001 --gid archiver --home-dir /var/lib/archiver --no-create-home \
      --shell /usr/sbin/nologin archiver \
 && mkdir -p /var/lib/archiver/broker /var/lib/archiver/spool /var/lib/archiver/exports /opt/archiver /etc/archiver \
 && chown -R archiver:archiver /var/lib/archiver \
 && chmod 0750 /var/lib/archiver /var/lib/archiver/broker /var/lib/archiver/spool /var/lib/archiver/exports
COPY --from=build /src/app/target/archiver.jar /opt/archiver/archiver.jar
COPY docker/node.properties docker/frontend.properties /etc/archiver/
# The launcher: `exec java $ARCHIVER_JAVA_OPTS -jar /opt/archiver/archiver.jar "$@"`. On the PATH as
# `archiver`, so that `docker compose exec node-1 archiver status ...` runs the CLI the same way.
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/archiver
USER archiver:archiver
WORKDIR /var/lib/archiver
EXPOSE 8080 8081 5672 61616
ENTRYPOINT ["/usr/local/bin/archiver"]
CMD ["--help"]
