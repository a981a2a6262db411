# Privilege matrix of every public function of pgdb_tools: each function's valid call (the
# baselines of test/hostile/fuzz_calls.sql, arguments evaluated to literals) as a superuser, the
# tables' owner, a role with SELECT only, a role with no rights on them (these four get USAGE on
# schema pgdb_tools from the script, as a DBA would grant it) and a role with only what the
# extension grants (since 0.3.0 USAGE on its schema to PUBLIC, so what the role with no rights
# gets; before, 42501 everywhere), twice: with
# search_path 'public, pg_catalog' and with '"$user", public'. Schema public holds planted
# operators, functions and aggregates (test/hostile/plant.sql, owned by the database owner, as
# PostgreSQL 15 allows) that log their own execution; the owner's table has a CHECK function that
# logs when it runs as anyone but its owner.
#
# Passes when no planted object and no owner code ran as another role (the server log has no
# HIJACK warning, public.hijack_seq was never used, public.hijack_log is empty), every call's
# outcome matches test/hostile/priv_expect.tsv (a role without rights gets 42501 where it must),
# and no call raised XX000 (or another internal/system SQLSTATE), crashed or spun.
# The functions that need pg_cron run in the database pg_cron works in ($PGDATABASE), whose public
# schema gets the planted objects for the time of the run.
#
#   HOSTILE_PRIV_LIST=1   also print every call with its SQL
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/hostile/driver.sh"
DB=pgdb_e2e_priv
CRON_DB=${PGDATABASE:?}
ROLES="hostile_owner hostile_other hostile_reader hostile_nobody hostile_bare hostile_planter"
work=$(mktemp -d)
chmod 755 "$work"
sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# Removes what this script left in the pg_cron database: fixtures, planted objects (by OID: every
# object in public made after the run started), the roles' privileges.
drop_cron_fixtures() {
  sql -d "$CRON_DB" >/dev/null 2>&1 <<SQL
SET client_min_messages = warning;
SET search_path = pg_catalog;
DROP EXTENSION IF EXISTS pgdb_tools CASCADE;
DROP SCHEMA IF EXISTS app, other, hostile CASCADE;
DROP EXTENSION IF EXISTS pg_cron;
DO \$\$
DECLARE r record;
BEGIN
  FOR r IN SELECT o.oid::regoperator AS o FROM pg_operator o
            WHERE o.oprnamespace = 'public'::regnamespace LOOP
    EXECUTE format('DROP OPERATOR IF EXISTS %s CASCADE', r.o);
  END LOOP;
  -- aggregates first (they depend on their step functions), then every function that notes
  FOR r IN SELECT CASE WHEN p.prokind = 'a' AND p.pronargs = 0
                       THEN format('%I.%I(*)', 'public', p.proname) ELSE p.oid::regprocedure::text END AS p,
                  p.prokind FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace
              AND (p.proname LIKE 'hijack%' OR p.prosrc LIKE '%hijack_note%'
                   OR p.oid IN (SELECT aggfnoid FROM pg_aggregate a JOIN pg_proc s ON s.oid = a.aggtransfn
                                 WHERE s.proname LIKE 'hijack%'))
            ORDER BY p.prokind = 'a' DESC, p.proname = 'hijack_note' LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', CASE WHEN r.prokind = 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.p);
  END LOOP;
  DROP TABLE IF EXISTS public.hijack_log;
  DROP SEQUENCE IF EXISTS public.hijack_seq;
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'hostile\_%' LOOP
    EXECUTE format('DROP OWNED BY %I', r.rolname);
  END LOOP;
END \$\$;
SQL
}
drop_roles() {
  local r
  for r in $ROLES; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" 2>/dev/null; done
}
cleanup() {
  dropdb --if-exists "$DB" 2>/dev/null
  drop_cron_fixtures
  drop_roles
  rm -rf "$work"
}
trap cleanup EXIT

# setup DB PLANTER: fixtures, rights, planted objects, the owner's CHECK trap (fuzz_args.sql turns
# the valid arguments into literals, which the roles can use).
setup() {
  local db=$1 planter=$2
  sql -d "$db" -f "$here/hostile/fixtures.sql" >/dev/null &&
    sql -d "$db" -f "$here/hostile/fuzz_args.sql" >/dev/null &&
    sql -d "$db" >/dev/null <<'SQL' &&
SET client_min_messages = warning;
GRANT USAGE ON SCHEMA pgdb_tools TO hostile_reader, hostile_nobody;
-- pg_cron's schema, where it is installed: as a DBA lets roles schedule their own jobs
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_namespace WHERE nspname = 'cron') THEN
    GRANT USAGE ON SCHEMA cron TO hostile_owner, hostile_reader, hostile_nobody, hostile_bare;
  END IF;
END $$;
GRANT USAGE ON SCHEMA app TO hostile_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO hostile_reader;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA app TO hostile_reader;
-- each role's own snapshot schedule row (as schedule_snapshot would save it)
SET ROLE hostile_owner;
SELECT pgdb_tools._snapshot_schedule_save('fz', '{app.docs}', NULL, 3);
RESET ROLE;
SQL
    sql -d "$db" -c "SET ROLE $planter" -f "$here/hostile/plant.sql" >/dev/null &&
    sql -d "$db" >/dev/null <<'SQL'
SET client_min_messages = warning;
-- The owner's code: runs as whoever the extension runs it as; anyone but its owner is a finding
-- (a superuser restoring the table must not run the owner's CHECK as superuser).
SET ROLE hostile_owner;
CREATE FUNCTION app.owner_check(id integer) RETURNS boolean LANGUAGE plpgsql
  SET search_path = pg_catalog AS $$
BEGIN
  IF current_user <> 'hostile_owner' THEN
    PERFORM public.hijack_note('owner code (CHECK app.owner_check on app.docs)');
  END IF;
  RETURN true;
END $$;
ALTER TABLE app.docs ADD CONSTRAINT docs_owner_check CHECK (app.owner_check(id));
RESET ROLE;
SQL
}

dropdb --if-exists "$DB" 2>/dev/null
drop_cron_fixtures
drop_roles
hostile_create_roles $ROLES || exit 1
createdb -O hostile_planter "$DB" || exit 1
setup "$DB" hostile_planter || { echo "setup failed in $DB"; exit 1; }
sql -d "$CRON_DB" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" >/dev/null || exit 1
# In the pg_cron database, public belongs to the database owner (the superuser here).
setup "$CRON_DB" postgres || { echo "setup failed in $CRON_DB"; exit 1; }

HOSTILE_SESSION_SETUP="SET client_min_messages = error;"
HOSTILE_APP=pgdb_hostile_priv
log_start=$(hostile_log_size)
crash_start=$log_start
# The harness's own queries must not pick up the planted objects.
export PGOPTIONS="-c search_path=pg_catalog"
failures=0
fail() { printf '  FAIL %s\n' "$*"; failures=$((failures + 1)); }

declare -A role_name=([superuser]=postgres [owner]=hostile_owner [reader]=hostile_reader [nobody]=hostile_nobody [bare]=hostile_bare)
declare -A paths=([p1]='public, pg_catalog' [p2]='"$user", public')
roles_order="superuser owner reader nobody bare"

for pass in main cron; do
  db=$DB; cron=false
  [ $pass = cron ] && { db=$CRON_DB; cron=true; }
  psql -X -At -F $'\t' -v cron=$cron -d "$db" -f "$here/hostile/fuzz_calls.sql" >"$work/all.$pass" ||
    { echo "generating the calls failed"; exit 1; }
  # the valid calls, one per function (and variant) and view, then one line per role and path
  awk -F'\t' '$2 != "missing" && ($5 ~ / baseline$/ || $5 ~ /^view [^ ]+$/) {
                key = $5; sub(/ baseline$/, "", key); print key "\t" $2 "\t" $4 }' "$work/all.$pass" >"$work/base.$pass"
  : >"$work/calls.$pass"; : >"$work/meta.$pass"
  id=0
  while IFS=$'\t' read -r key mode call; do
    for p in p1 p2; do
      for r in $roles_order; do
        id=$((id + 1))
        if [ "$mode" = tx ]; then setup="SET LOCAL ROLE ${role_name[$r]}; SET LOCAL search_path = ${paths[$p]};"
        else setup="SET ROLE ${role_name[$r]}; SET search_path = ${paths[$p]};"; fi
        printf '%s\t%s\t%s\t%s\n' "$id" "$mode" "$setup" "$call" >>"$work/calls.$pass"
        printf '%s\t%s\t%s\t%s\n' "$id" "$key" "$r" "$p" >>"$work/meta.$pass"
      done
    done
  done <"$work/base.$pass"
  echo "== pass $pass: $(wc -l <"$work/calls.$pass") calls in database $db"
  started=$(date +%s)
  hostile_run "$work/calls.$pass" "$work/results.$pass" "$db"
  echo "   ran in $(($(date +%s) - started))s"

  # hijacks: the planted objects' warnings in the server log name the call (/*hostile:N*/)
  hostile_log_since "$log_start" | grep -a 'HIJACK:' >"$work/hijack.$pass"
  log_start=$(hostile_log_size)
  rows=$(psql -X -At -d "$db" -c "SELECT count(*) FROM public.hijack_log")
  seq=$(psql -X -At -d "$db" -c "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM public.hijack_seq")
  echo "== pass $pass: planted code ran $seq times (public.hijack_seq), $rows rows in public.hijack_log"
  [ "${seq:-0}" -eq 0 ] || fail "planted objects ran $seq times in database $db"
  [ "${rows:-0}" -eq 0 ] || fail "public.hijack_log has $rows rows in database $db"
  sed -E 's/.*WARNING: +HIJACK: (.*) ran as ([^ ]+) in: .*\/\*hostile:([0-9]+)\*\/.*/\3\t\2\t\1/; t; s/.*WARNING: +HIJACK: (.*) ran as ([^ ]+) in: .*/-\t\2\t\1/' \
    "$work/hijack.$pass" | sort -u >"$work/hijacks.$pass"

  # the matrix
  # hostile_bare has only what the extension itself grants: without USAGE on its schema every call
  # must give 42501; with it, what the no-rights role gets.
  bare_usage=$(psql -X -At -d "$db" -c "SELECT has_schema_privilege('hostile_bare', 'pgdb_tools', 'USAGE')")
  awk -F'\t' -v bare_usage="$bare_usage" -v expfile="$here/hostile/priv_expect.tsv" -v hijacks="$work/hijacks.$pass" -v list="${HOSTILE_PRIV_LIST:-}" -v calls="$work/calls.$pass" '
    BEGIN {
      OFS = "\t"
      split("superuser owner reader nobody bare", roles, " ")
      for (i = 1; i <= 4; i++) col[roles[i]] = i + 1
      while ((getline line < expfile) > 0) {
        if (line ~ /^#/ || line == "") continue
        split(line, f, "\t"); for (r in col) expect[f[1], r] = f[col[r]]
      }
      while ((getline line < hijacks) > 0) {
        split(line, f, "\t"); hj[f[1]] = hj[f[1]] (hj[f[1]] == "" ? "" : "; ") f[3] " as " f[2]
        if (f[1] == "-") unattributed = unattributed "\n    " f[3] " ran as " f[2]
      }
      while ((getline line < calls) > 0) { split(line, f, "\t"); sqltext[f[1]] = f[3] " " f[4] }
    }
    FILENAME == ARGV[1] { key[$1] = $2; role[$1] = $3; path[$1] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++nkeys] = $2 }; next }
    {
      id = $1; outcome = $2; st = $3; msg = $4; k = key[id]; r = role[id]; p = path[id]
      e = (r == "bare") ? (bare_usage == "t" ? expect[k, "nobody"] : "deny") : expect[k, r]
      cell = (outcome == "ok") ? "ok" : (outcome == "error" ? st : toupper(outcome))
      bad = ""
      if (e == "") bad = "no expectation in priv_expect.tsv"
      else if (outcome != "ok" && outcome != "error") bad = toupper(outcome) " " msg
      else if (outcome == "error" && (st ~ /^(XX|58|53|57)/)) bad = "ERROR " st ": " msg
      else if (e == "ok" && outcome != "ok") bad = "must succeed, got ERROR " st ": " msg
      else if (e == "deny" && st != "42501") bad = "must fail with 42501, got " (outcome == "ok" ? "success" : st ": " msg)
      else if (e == "hidden" && st !~ /^(42501|42704|42P01)$/) bad = "must fail with 42501/42704/42P01, got " (outcome == "ok" ? "success" : st ": " msg)
      if (id in hj) { bad = bad (bad == "" ? "" : "; ") "PLANTED CODE RAN: " hj[id]; cell = cell "H" }
      if (bad != "") { cell = cell "!"; fails[++nf] = sprintf("%s as %s (search_path %s) -> %s", k, r, p == "p1" ? "public, pg_catalog" : "\"$user\", public", bad) }
      cells[k, r, p] = cell
      if (list != "") printf "  call #%s %s as %s %s -> %s %s %s\n      %s\n", id, k, r, p, outcome, st, msg, sqltext[id]
    }
    END {
      printf "  %-28s | %-39s | %-39s\n", "", "search_path public, pg_catalog", "search_path \"$user\", public"
      printf "  %-28s | %-7s %-7s %-7s %-7s %-7s | %-7s %-7s %-7s %-7s %-7s\n", "call", "super", "owner", "reader", "nobody", "bare", "super", "owner", "reader", "nobody", "bare"
      for (i = 1; i <= nkeys; i++) {
        k = order[i]; line = sprintf("  %-28s |", k)
        for (pi = 1; pi <= 2; pi++) {
          p = "p" pi
          for (j = 1; j <= 5; j++) line = line sprintf(" %-7s", cells[k, roles[j], p])
          line = line (pi == 1 ? " |" : "")
        }
        print line
      }
      print "  (cells: ok or the SQLSTATE; H = planted code ran; ! = does not match priv_expect.tsv or failed)"
      for (i = 1; i <= nf; i++) print "  FAIL " fails[i]
      if (unattributed != "") { print "  FAIL planted code ran outside any call:" unattributed; nf++ }
      print nf + 0 > "/dev/stderr"
    }' "$work/meta.$pass" "$work/results.$pass" 2>"$work/nfail.$pass"
  failures=$((failures + $(cat "$work/nfail.$pass")))
done

echo "== server log"
crashes=$(hostile_log_since "$crash_start" | grep -E "$HOSTILE_LOG_CRASH_RE")
if [ -n "$crashes" ]; then
  echo "$crashes" | sed 's/^/  FAIL server log: /'
  failures=$((failures + $(wc -l <<<"$crashes")))
else
  echo "   no crash lines"
fi
echo "hostile_privileges: $failures failures"
[ "$failures" -eq 0 ]
