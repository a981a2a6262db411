# Shared by test/run_tests.sh, test/demo.sh and test/bench/run.sh: Debian packages, build and
# install, and throwaway PostgreSQL clusters. Sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# PGDB_INSTALL_ROOT (optional): a private copy of the system PostgreSQL 15 tree under this
# directory (made on first use; PostgreSQL finds its share and lib directories relative to its
# binaries), into which the extension is installed with DESTDIR instead of into the system. Lets
# several checkouts build and test at once without replacing each other's pgdb_tools.so.
INSTALL_ROOT=${PGDB_INSTALL_ROOT:-}
PGBIN=$INSTALL_ROOT/usr/lib/postgresql/15/bin
PGXS_DIR=$INSTALL_ROOT/usr/lib/postgresql/15/lib/pgxs

# What building and testing need; the benchmarks add their anchors (see test/bench/run.sh).
BUILD_PACKAGES=(make g++ cmake pkg-config postgresql-15 postgresql-server-dev-15 postgresql-15-cron
                libzstd-dev liblz4-dev libxxhash-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev jq)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs those of the given Debian packages that are missing (apt-get update only when needed).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== Installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${missing[@]}" >/dev/null
}

# Builds the extension and installs it into the system PostgreSQL 15 (or the private copy).
build_and_install() {
  echo "== Building and installing pgdb_tools (the first build takes a minute or two)"
  if [ -n "$INSTALL_ROOT" ]; then
    make_private_install_root || return 1
    make -C "$REPO" -s -j"$(nproc)" >/dev/null &&
      make -C "$REPO" -s install DESTDIR="$INSTALL_ROOT" >/dev/null
  else
    make -C "$REPO" -s -j"$(nproc)" >/dev/null && as_root make -C "$REPO" -s install >/dev/null
  fi
}

# Copies the system PostgreSQL 15 (with pg_cron) under $INSTALL_ROOT once.
make_private_install_root() {
  [ -x "$PGBIN/postgres" ] && return 0
  mkdir -p "$INSTALL_ROOT/usr/lib/postgresql" "$INSTALL_ROOT/usr/share/postgresql" &&
    cp -a /usr/lib/postgresql/15 "$INSTALL_ROOT/usr/lib/postgresql/" &&
    cp -a /usr/share/postgresql/15 "$INSTALL_ROOT/usr/share/postgresql/" &&
    chmod -R a+rX "$INSTALL_ROOT"
}

# Runs a server-side command as the cluster's owner: postgres when we are root (PostgreSQL refuses
# to run as root), ourselves otherwise.
as_cluster_owner() {
  # From /, which postgres can enter: the checkout may sit in a directory it cannot (/root).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# cluster_start DIR PORT DBNAME: a new cluster in DIR (removed first), reachable only through the
# Unix socket in DIR, with pg_cron preloaded and working in DBNAME, which is created. Lines in
# PGDB_CLUSTER_EXTRA_CONF are added to postgresql.conf.
cluster_start() {
  local dir=$1 port=$2 db=$3
  cluster_stop "$dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  as_cluster_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
shared_preload_libraries = 'pg_cron'
cron.database_name = '$db'
# pg_cron reaches the server like any client: through the socket, since nothing listens on TCP
cron.host = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
max_prepared_transactions = 10
log_min_messages = warning
${PGDB_CLUSTER_EXTRA_CONF:-}
CONF
  as_cluster_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { cat "$dir/server.log"; return 1; }
  "$PGBIN/createdb" -h "$dir" -p "$port" -U postgres "$db"
}

# cluster_stop DIR: stops the cluster in DIR if one is running.
cluster_stop() {
  local dir=$1
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_cluster_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
