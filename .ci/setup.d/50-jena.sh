# shellcheck shell=bash
# Java and Apache Jena (Debian `default-jre-headless`, `libapache-jena-java`) for the
# `jena` tests: `arq.rsparql` asks `defcoop serve`'s /sparql the stored queries
# (tests/test_serve.py). Sourced by .ci/run; starts no service.
if ! command -v java >/dev/null 2>&1 || [ ! -e /usr/share/java/jena-arq.jar ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless libapache-jena-java >/dev/null
fi
# Here a missing Jena is a failure, not a skip.
DEFCOOP_REQUIRE_JENA=1
export DEFCOOP_REQUIRE_JENA
