# The archiver image: one jar, every role (node, frontend, migrate, ...) chosen by the command.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/archiver archiver && mkdir -p /var/lib/archiver && chown archiver /var/lib/archiver
COPY --from=build /src/app/target/archiver.jar /opt/archiver/archiver.jar
COPY docker/node.properties docker/frontend.properties /etc/archiver/
USER archiver
WORKDIR /var/lib/archiver
ENTRYPOINT ["java", "-XX:+UseParallelGC", "-Xms1g", "-Xmx2g", "-jar", "/opt/archiver/archiver.jar"]
CMD ["--help"]
