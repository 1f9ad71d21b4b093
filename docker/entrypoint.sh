#!/bin/sh
# The image's entrypoint, installed as /usr/local/bin/archiver: every role and CLI command of the jar
# (`archiver node --config F`, `archiver status --config F`, ...), with the JVM options taken from
# ARCHIVER_JAVA_OPTS. The default heap is small (512 MiB at most, nothing reserved up front) so that
# several containers fit on one host; docker-compose.yml sets a larger one for the archive nodes.
# The options are split on blanks (no quoting inside ARCHIVER_JAVA_OPTS), never globbed.
set -eu
opts="${ARCHIVER_JAVA_OPTS:--XX:+UseParallelGC -Xmx512m}"
# The options are for the JVM, not a setting of the archiver: keep them out of its environment.
unset ARCHIVER_JAVA_OPTS
set -f
# shellcheck disable=SC2086 # word splitting of the options is intended
exec java $opts -jar /opt/archiver/archiver.jar "$@"
