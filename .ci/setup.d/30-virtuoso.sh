# shellcheck shell=bash
# Virtuoso Open Source 7.2 (Debian package `virtuoso-opensource`) on 127.0.0.1,
# our own instance with a throwaway database folder and a generated dba
# password, for the `server` tests. The packaged service is not used.
#
# Sourced by .ci/run (which provides `on_exit`). Exports:
#   DEFCOOP_TEST_VIRTUOSO_URL       base URL: /sparql, /sparql-auth, /sparql-graph-crud-auth
#   DEFCOOP_TEST_VIRTUOSO_USER      dba
#   DEFCOOP_TEST_VIRTUOSO_PASSWORD  generated here; only ever in the environment

DEFCOOP_VIRTUOSO_HTTP_PORT=${DEFCOOP_VIRTUOSO_HTTP_PORT:-8890}
DEFCOOP_VIRTUOSO_SQL_PORT=${DEFCOOP_VIRTUOSO_SQL_PORT:-1111}

if ! command -v virtuoso-t >/dev/null; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource >/dev/null
fi

_virtuoso_dir=$(mktemp -d -t defcoop-virtuoso.XXXXXX)
# A small ini of our own: every database file in the throwaway folder, both
# ports on 127.0.0.1, no plugins, results not truncated at 10,000 rows.
cat >"$_virtuoso_dir/virtuoso.ini" <<INI
[Database]
DatabaseFile       = $_virtuoso_dir/virtuoso.db
ErrorLogFile       = $_virtuoso_dir/virtuoso.log
LockFile           = $_virtuoso_dir/virtuoso.lck
TransactionFile    = $_virtuoso_dir/virtuoso.trx
xa_persistent_file = $_virtuoso_dir/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $_virtuoso_dir/virtuoso-temp.db
TransactionFile    = $_virtuoso_dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:$DEFCOOP_VIRTUOSO_SQL_PORT
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., $_virtuoso_dir, /usr/share/virtuoso-opensource-7/vad
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 1G
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000

[HTTPServer]
ServerPort                  = 127.0.0.1:$DEFCOOP_VIRTUOSO_HTTP_PORT
ServerRoot                  = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 1

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 300
DeferInferenceRulesInit    = 0
INI

(cd "$_virtuoso_dir" && exec virtuoso-t +configfile "$_virtuoso_dir/virtuoso.ini" +foreground \
  >"$_virtuoso_dir/stdout.log" 2>&1) &
_virtuoso_pid=$!
# SIGTERM makes Virtuoso checkpoint and exit; wait for the process to end.
on_exit "kill $_virtuoso_pid 2>/dev/null; wait $_virtuoso_pid 2>/dev/null; rm -rf '$_virtuoso_dir'"

export DEFCOOP_TEST_VIRTUOSO_URL="http://127.0.0.1:$DEFCOOP_VIRTUOSO_HTTP_PORT"
python3 .ci/wait-for-url "$DEFCOOP_TEST_VIRTUOSO_URL/sparql?query=ASK%7B%7D" 120 virtuoso

# Replace the well-known default password at once. The SQL goes in on stdin,
# so the new password never appears in a process list or a log.
DEFCOOP_TEST_VIRTUOSO_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
export DEFCOOP_TEST_VIRTUOSO_PASSWORD
export DEFCOOP_TEST_VIRTUOSO_USER=dba
isql-vt "127.0.0.1:$DEFCOOP_VIRTUOSO_SQL_PORT" dba dba >/dev/null <<SQL
USER_SET_PASSWORD('dba', '$DEFCOOP_TEST_VIRTUOSO_PASSWORD');
SQL
echo "virtuoso (pid $_virtuoso_pid) answers at $DEFCOOP_TEST_VIRTUOSO_URL"
