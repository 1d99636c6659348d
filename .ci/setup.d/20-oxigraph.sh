# shellcheck shell=bash
# Oxigraph server (PyPI package `oxigraph`, installed by the `test` extra) on
# 127.0.0.1, with a throwaway database folder, for the `server` tests.
#
# Sourced by .ci/run (which provides `on_exit`). Exports:
#   DEFCOOP_TEST_OXIGRAPH_URL   base URL: /query, /update and /store below it
#
# --union-default-graph: SPARQL queries without GRAPH see every named graph,
# as they do on Virtuoso (docs/stores.md, "store quirks").

DEFCOOP_OXIGRAPH_PORT=${DEFCOOP_OXIGRAPH_PORT:-7878}
command -v oxigraph >/dev/null || pip install -q oxigraph
_oxigraph_dir=$(mktemp -d -t defcoop-oxigraph.XXXXXX)
oxigraph serve --location "$_oxigraph_dir/db" --bind "127.0.0.1:$DEFCOOP_OXIGRAPH_PORT" \
  --union-default-graph >"$_oxigraph_dir/server.log" 2>&1 &
_oxigraph_pid=$!
on_exit "kill $_oxigraph_pid 2>/dev/null; wait $_oxigraph_pid 2>/dev/null; rm -rf '$_oxigraph_dir'"

export DEFCOOP_TEST_OXIGRAPH_URL="http://127.0.0.1:$DEFCOOP_OXIGRAPH_PORT"
# Wait (up to 30 s) until it answers a query.
python3 .ci/wait-for-url "$DEFCOOP_TEST_OXIGRAPH_URL/query?query=ASK%7B%7D" 30 oxigraph
echo "oxigraph server (pid $_oxigraph_pid) answers at $DEFCOOP_TEST_OXIGRAPH_URL"
