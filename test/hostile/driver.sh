# The call runner shared by test/e2e/hostile_*.sh. Sourced, not run.
#
# hostile_run CALLS RESULTS DB: runs every call of CALLS (one per line: id<TAB>mode<TAB>setup<TAB>sql,
# mode "tx" = in its own transaction, rolled back; "auto" = autocommitted, for procedures that
# commit) through psql in database DB, and writes RESULTS (one per call: id<TAB>outcome<TAB>sqlstate
# <TAB>message). Outcomes:
#   ok       the call succeeded
#   error    it raised an ERROR (sqlstate and message given)
#   crash    the backend died under it (the server restarted; the run resumed after it)
#   spin     it was still running HOSTILE_SPIN_AFTER seconds after it started, although
#            statement_timeout should have stopped it: cancelled, then terminated, then (if it still
#            ran) SIGKILLed, which restarts the server; "unkillable" is said in the message
#   notrun   the time budget ran out before it
# Each psql session starts with HOSTILE_SESSION_SETUP (SQL lines) and statement_timeout =
# HOSTILE_STATEMENT_TIMEOUT. The whole run ends within HOSTILE_BUDGET seconds, whatever the server
# does. Needs PGHOST (the cluster directory, whose server.log is the cluster's log), PGPORT, PGUSER.

HOSTILE_STATEMENT_TIMEOUT=${HOSTILE_STATEMENT_TIMEOUT:-5s}
HOSTILE_SPIN_AFTER=${HOSTILE_SPIN_AFTER:-8}
HOSTILE_BUDGET=${HOSTILE_BUDGET:-150}
HOSTILE_APP=${HOSTILE_APP:-pgdb_hostile}
HOSTILE_SESSION_SETUP=${HOSTILE_SESSION_SETUP:-}
HOSTILE_SERVER_LOG=${HOSTILE_SERVER_LOG:-$PGHOST/server.log}

# Lines the server log gains when a backend dies or the server gives up.
HOSTILE_LOG_CRASH_RE='terminated by signal|was terminated by exception|server process .* was terminated|PANIC:|TRAP:|terminating any other active server processes'

hostile_log_size() { stat -c %s "$HOSTILE_SERVER_LOG" 2>/dev/null || echo 0; }

# hostile_log_since OFFSET: the server log after byte OFFSET.
hostile_log_since() { tail -c +"$(($1 + 1))" "$HOSTILE_SERVER_LOG" 2>/dev/null; }

# Waits until the server accepts connections again (after a crash restart); false after 90 s.
hostile_wait_server() {
  local i
  for i in $(seq 180); do
    pg_isready -q -d postgres && psql -X -At -d postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

# Writes the psql script for the calls of CALLS from line FROM on (awk: tabs are field separators
# here, and empty fields stay empty).
hostile_script() {
  local calls=$1 from=$2
  printf '%s\n' '\set ON_ERROR_STOP 0' '\set QUIET on' "$HOSTILE_SESSION_SETUP"
  awk -F'\t' -v from="$from" 'NR >= from {
    printf "\\echo @@S %s\n", $1
    if ($2 == "tx") printf "BEGIN;\n"
    printf "%s\n/*hostile:%s*/ %s;\n", $3, $1, $4
    printf "\\echo @@R %s :SQLSTATE :LAST_ERROR_MESSAGE\n", $1
    printf "ROLLBACK;\n"
    if ($2 != "tx") printf "RESET ALL;\n"
  }' "$calls"
}

# The watchdog: a call still active HOSTILE_SPIN_AFTER seconds after it started ignored
# statement_timeout. Cancel, terminate, and as a last resort SIGKILL it (this restarts the server:
# the run resumes after it). Writes what it did to the file SPINLOG (id<TAB>message).
hostile_watchdog() {
  local db=$1 spinlog=$2 row pid id
  while sleep 1; do
    row=$(psql -X -At -F $'\t' -d postgres -c "SELECT pid, substring(query from '/\\*hostile:([0-9]+)\\*/')
            FROM pg_stat_activity WHERE datname = '$db' AND application_name = '$HOSTILE_APP'
             AND state = 'active' AND query ~ '/\\*hostile:[0-9]+\\*/'
             AND now() - query_start > interval '$HOSTILE_SPIN_AFTER seconds' LIMIT 1" 2>/dev/null) || continue
    [ -n "$row" ] || continue
    IFS=$'\t' read -r pid id <<<"$row"
    echo "watchdog: call $id (pid $pid) still running after ${HOSTILE_SPIN_AFTER}s: cancelling" >&2
    psql -X -At -d postgres -c "SELECT pg_cancel_backend($pid)" >/dev/null 2>&1
    if hostile_gone "$pid" 3; then
      printf '%s\t%s\n' "$id" "ignored statement_timeout; stopped by pg_cancel_backend" >>"$spinlog"
      continue
    fi
    psql -X -At -d postgres -c "SELECT pg_terminate_backend($pid)" >/dev/null 2>&1
    if hostile_gone "$pid" 3; then
      printf '%s\t%s\n' "$id" "ignored statement_timeout and pg_cancel_backend; stopped by pg_terminate_backend" >>"$spinlog"
      continue
    fi
    echo "watchdog: UNKILLABLE backend $pid (call $id) ignores cancel and terminate: SIGKILL (the server restarts)" >&2
    printf '%s\t%s\n' "$id" "UNKILLABLE: ignored statement_timeout, pg_cancel_backend and pg_terminate_backend; SIGKILLed (server restarted)" >>"$spinlog"
    kill -KILL "$pid" 2>/dev/null
    hostile_wait_server
  done
}

# hostile_gone PID SECONDS: true when the backend PID left within SECONDS.
hostile_gone() {
  local pid=$1 i
  for i in $(seq $(($2 * 2))); do
    sleep 0.5
    [ -d "/proc/$pid" ] || return 0
  done
  return 1
}

hostile_run() {
  local calls=$1 results=$2 db=$3
  local work; work=$(mktemp -d)
  local spinlog=$work/spin total from=1 deadline=$(($(date +%s) + HOSTILE_BUDGET)) out rc last
  : >"$results"; : >"$spinlog"; chmod 777 "$work"
  total=$(wc -l <"$calls")
  hostile_watchdog "$db" "$spinlog" 2>>"$work/watchdog" &
  local watchdog=$!
  while [ "$from" -le "$total" ]; do
    local left=$((deadline - $(date +%s)))
    [ "$left" -gt 0 ] || break
    out=$work/out.$from
    hostile_script "$calls" "$from" >"$work/script.sql"
    PGAPPNAME=$HOSTILE_APP PGOPTIONS="-c statement_timeout=$HOSTILE_STATEMENT_TIMEOUT" \
      timeout -k 5 "$left" psql -X -q -At -d "$db" -f "$work/script.sql" >"$out" 2>"$out.err"
    rc=$?
    # results of this segment
    awk '$1 == "@@R" { id = $2; st = $3; $1 = $2 = $3 = ""; sub(/^ +/, "");
                       printf "%s\t%s\t%s\t%s\n", id, (st == "00000" ? "ok" : "error"), st, (st == "00000" ? "" : $0) }' \
      "$out" >>"$results"
    last=$(awk '$1 == "@@S" { s = $2 } $1 == "@@R" { r = $2 } END { if (s != r) print s }' "$out")
    if [ -n "$last" ]; then
      # the call started and never finished: its backend died (or the budget ran out)
      if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        printf '%s\tnotrun\t-\t%s\n' "$last" "the time budget ran out during this call" >>"$results"
        break
      fi
      printf '%s\tcrash\t-\t%s\n' "$last" "connection lost: $(tail -n 2 "$out.err" | tr '\n' ' ' | cut -c1-300)" >>"$results"
      hostile_wait_server || { echo "the server did not come back after call $last" >&2; break; }
      from=$(($(grep -n -m1 "^$last"$'\t' "$calls" | cut -d: -f1) + 1))
    else
      [ "$rc" -eq 0 ] || { echo "psql failed ($rc) before any call:" >&2; cat "$out.err" >&2; break; }
      break
    fi
  done
  kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null
  # spins override what psql saw for that call
  local id msg
  while IFS=$'\t' read -r id msg; do
    awk -F'\t' -v id="$id" -v msg="$msg" 'BEGIN { OFS = "\t" } $1 == id { $2 = "spin"; $4 = msg "; psql saw: " $3 " " $4 } { print }' \
      "$results" >"$results.tmp" && mv "$results.tmp" "$results"
  done <"$spinlog"
  # calls never reached (one awk over both files: a grep per call took seconds for thousands)
  awk -F'\t' 'FILENAME == ARGV[1] { seen[$1] = 1; next }
               !($1 in seen) { printf "%s\tnotrun\t-\t%s\n", $1, "not reached: the time budget ran out" }' \
    "$results" "$calls" >"$work/unreached"
  cat "$work/unreached" >>"$results"
  cat "$work/watchdog" >&2
  rm -rf "$work"
}

# hostile_bad_sqlstate STATE: true for outcomes that are never acceptable from any call: internal
# errors (XX), system errors (58), resources (53), cancels/shutdowns (57: a timeout is a failure),
# and HX*, raised by the suites' own checks (a value or a state a call must refuse).
hostile_bad_sqlstate() {
  case "$1" in
    XX* | 58* | 53* | 57* | HX* | "" | -) return 0 ;;
    *) return 1 ;;
  esac
}

# hostile_create_roles ROLE...: creates the roles that do not exist yet (one left over by an
# aborted run is reused: its objects went with that run's database).
hostile_create_roles() {
  local r
  for r in "$@"; do
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$r') THEN CREATE ROLE $r; END IF;
      END \$\$" || return 1
  done
}
