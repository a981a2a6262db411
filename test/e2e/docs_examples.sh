# Every ```sql block of README.md and docs/*.md runs, top to bottom of its file, as a reader would
# paste it into one psql session: each file in a fresh database of its own (docs_<file>), where a
# superuser has run CREATE EXTENSION pgdb_tools (not for the README, whose first example does it).
# A block whose first line is `-- error: SQLSTATE` must fail with exactly that SQLSTATE; blocks of
# other languages (```sql-norun, ```sh, ...) are skipped and counted. Fails naming the file, the
# Markdown line and the error. Roles a file creates are dropped after it (they belong to the
# cluster), so the run repeats cleanly. DOCS_ONLY='snapshots' runs the files whose name matches.
# A file may have no runnable block (docs/boundary.md shows C++ only); a fence that looks like SQL
# but is neither `sql` nor `sql-norun` is refused, so a typo cannot turn a block off silently.
set -u
source "$REPO/test/lib.sh"
ensure_packages python3 || exit 1   # for test/docs_blocks.py; a bare Debian has none
out_dir="$REPO/build/docs-examples"
rm -rf "$out_dir"
mkdir -p "$out_dir"
# The cluster's postgres user reads the generated scripts when psql includes the check file.
chmod a+rx "$out_dir"
check="$REPO/test/docs_check_error.psql"
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=default)
roles_before=$(psql -X -At -d postgres -c "SELECT rolname FROM pg_roles ORDER BY 1")
failed=0
total_run=0
# The scheduling examples (docs/partitions.md, docs/snapshots.md) make real pg_cron jobs from their
# databases, as in a reader's cluster: pg_cron is installed in its database ($PGDATABASE) for the
# run, and removed after it if it was not there.
had_cron=$(psql -X -At -d "$PGDATABASE" -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")
psql -X -q -d "$PGDATABASE" -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_cron" || exit 1
[ "$had_cron" = 1 ] || trap 'psql -X -q -d "$PGDATABASE" -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1' EXIT

# drop_new_roles: drops the roles that did not exist when the script started (the extension's
# pgdb_tools_bypass stays: other databases of the cluster may use it).
drop_new_roles() {
  local role
  psql -X -At -d postgres -c "SELECT rolname FROM pg_roles ORDER BY 1" |
    comm -13 <(echo "$roles_before") - | while read -r role; do
      [ "$role" = pgdb_tools_bypass ] && continue
      echo 'DROP ROLE :"role"' | psql -X -q -d postgres -v ON_ERROR_STOP=1 -v role="$role" ||
        echo "could not drop role $role"
    done
}

for md in "$REPO/README.md" "$REPO"/docs/*.md; do
  rel=${md#"$REPO"/}
  stem=$(basename "$md" .md | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '_')
  if [ -n "${DOCS_ONLY:-}" ] && [[ $stem != *${DOCS_ONLY}* ]]; then continue; fi
  db="docs_$stem"
  script="$out_dir/$stem.sql"
  log="$out_dir/$stem.out"
  counts=$(/usr/bin/python3 "$REPO/test/docs_blocks.py" "$md" "$script" "$check") ||
    { echo "FAILED $rel: its blocks could not be read (above)"; failed=$((failed + 1)); continue; }
  read -r run errors skipped <<<"$counts"
  chmod a+r "$script"
  { dropdb --if-exists --force "$db" 2>/dev/null; createdb "$db"; } || { failed=$((failed + 1)); continue; }
  if [ "$rel" != README.md ]; then
    psql -X -q -d "$db" -c "CREATE EXTENSION pgdb_tools" || { failed=$((failed + 1)); continue; }
  fi
  # From the output directory: psql's messages then name the script, whose lines are the file's.
  (cd "$out_dir" && "${psql_cmd[@]}" -d "$db" -f "$stem.sql") >"$log" 2>&1
  rc=$?
  if [ $rc -ne 0 ] || grep -q '^DOCS-FAIL' "$log"; then
    failed=$((failed + 1))
    echo "FAILED $rel ($run blocks run, $skipped skipped): it stopped at"
    { grep -m1 '^DOCS-FAIL' "$log" || grep -E '^psql:[^:]*:[0-9]+: (ERROR|FATAL)' "$log" | tail -n 1; } |
      sed -E -e "s|^psql:$stem\.sql:([0-9]+): |  $rel:\1: |" -e "s|^DOCS-FAIL: |  $rel: |"
    echo "  output of the run ($log), last lines:"
    tail -n 15 "$log" | sed 's/^/    /'
  else
    total_run=$((total_run + run))
    printf '%-22s %3d blocks run (%d expecting an error), %d skipped\n' "$rel:" "$run" "$errors" "$skipped"
  fi
  dropdb --force "$db"
  drop_new_roles
done
echo "$total_run blocks run in files that passed; $failed files failed"
[ "$failed" -eq 0 ]
