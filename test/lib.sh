# Shared by test/run_tests.sh, test/demo.sh and test/bench/run.sh: Debian packages, build and
# install, and throwaway PostgreSQL clusters. Sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The servers tested: Debian's PostgreSQL 15 and PostgreSQL 18 from ../shared/postgres (installed
# into /opt/pgdb_tools/pg18 by its install.sh when missing). PG_CONFIG (make test PG_CONFIG=...)
# picks one; use_postgres sets the paths below from it.
PG15_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PG18_CONFIG=/opt/pgdb_tools/pg18/bin/pg_config
# PGDB_INSTALL_ROOT (optional): a private copy of the server's tree under this directory (made on
# first use; PostgreSQL finds its share and lib directories relative to its binaries), into which
# the extension is installed with DESTDIR instead of into the server itself. Lets several
# checkouts build and test at once without replacing each other's pgdb_tools.so.
INSTALL_ROOT=${PGDB_INSTALL_ROOT:-}

# What building and testing need; the benchmarks add their anchors (see test/bench/run.sh).
BUILD_PACKAGES=(make g++ cmake pkg-config postgresql-15 postgresql-server-dev-15 postgresql-15-cron
                libzstd-dev liblz4-dev libxxhash-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev jq)
# PostgreSQL 18's server headers include OpenSSL's (libpq/libpq-be.h) and ICU's (utils/pg_locale.h).
PG18_BUILD_PACKAGES=(libssl-dev libicu-dev)

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

# pg_version PG_CONFIG: "PostgreSQL 15.20" (without a packager's " (Debian 15.20-...)").
pg_version() { "$1" --version 2>/dev/null | sed 's/ (.*//'; }

# use_postgres PG_CONFIG: the server to build for and run: sets PG_CONFIG, PG_MAJOR, PG_VERSION
# ("PostgreSQL 18.6"), PGBIN and PGXS_DIR (inside the private copy with PGDB_INSTALL_ROOT) and
# BUILD_DIR (build/pgMAJOR: objects are never shared between major versions).
use_postgres() {
  PG_CONFIG=$1
  PG_VERSION=$(pg_version "$PG_CONFIG") || { echo "$PG_CONFIG does not run" >&2; return 1; }
  PG_MAJOR=$(sed -E 's/^PostgreSQL ([0-9]+).*/\1/' <<<"$PG_VERSION")
  PGBIN=$INSTALL_ROOT$("$PG_CONFIG" --bindir)
  PGXS_DIR=$INSTALL_ROOT$(dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")")
  BUILD_DIR=$REPO/build/pg$PG_MAJOR
  export PG_CONFIG
}

# ensure_postgres PG_CONFIG: installs what building for and running that server needs, then
# use_postgres. PostgreSQL 15 comes from BUILD_PACKAGES; 18 from ../shared/postgres/install.sh.
ensure_postgres() {
  if [ "$1" = "$PG18_CONFIG" ]; then
    ensure_packages "${PG18_BUILD_PACKAGES[@]}" || return 1
    if [ ! -x "$PG18_CONFIG" ]; then
      local installer d
      for d in "$REPO/../shared/postgres" "$REPO/../../shared/postgres"; do
        [ -x "$d/install.sh" ] && { installer=$d/install.sh; break; }
      done
      [ -n "${installer:-}" ] ||
        { echo "PostgreSQL 18 is missing and so is ../shared/postgres/install.sh (relative to $REPO)" >&2; return 1; }
      echo "== Installing PostgreSQL 18 ($installer)"
      as_root "$installer" || return 1
    fi
  fi
  use_postgres "$1"
}

# Builds the extension in $BUILD_DIR and installs it into the server (or the private copy).
build_and_install() {
  echo "== Building and installing pgdb_tools for $PG_VERSION in ${BUILD_DIR#"$REPO"/} (the first build takes a minute or two)"
  # Without debug information (PGDB_NO_DEBUG_INFO: GCC generates the same code with and without
  # -g, and builds a third faster without). pgdb-archive is PostgreSQL-free, so one build serves
  # every server: the unit tests' plain build (build/cmake, configured as the Makefile configures
  # pgdb-archive's; see test/run_tests.sh) when there is one, else build/archive-cli.
  local cli_dir=$REPO/build/archive-cli
  [ -f "$REPO/build/cmake/CMakeCache.txt" ] && cli_dir=$REPO/build/cmake
  local make_build=(make -C "$BUILD_DIR" -f "$REPO/Makefile" -s PG_CONFIG="$PG_CONFIG"
                    PGDB_NO_DEBUG_INFO=1 ARCHIVE_CLI_DIR="$cli_dir")
  mkdir -p "$BUILD_DIR"
  if [ -n "$INSTALL_ROOT" ]; then
    make_private_install_root || return 1
    "${make_build[@]}" -j"$(nproc)" >/dev/null && "${make_build[@]}" install DESTDIR="$INSTALL_ROOT" >/dev/null
  else
    "${make_build[@]}" -j"$(nproc)" >/dev/null && as_root "${make_build[@]}" install >/dev/null
  fi
}

# Copies the server's tree (bin, lib and share; with pg_cron) under $INSTALL_ROOT, again when the
# server's version has changed.
make_private_install_root() {
  [ "$(pg_version "$PGBIN/pg_config")" = "$PG_VERSION" ] && [ -x "$PGBIN/postgres" ] && return 0
  local tree share
  tree=$(dirname "$("$PG_CONFIG" --bindir)")  # /usr/lib/postgresql/15, /opt/pgdb_tools/pg18
  share=$("$PG_CONFIG" --sharedir)
  rm -rf "${INSTALL_ROOT:?}$tree" "${INSTALL_ROOT:?}$share"
  mkdir -p "$INSTALL_ROOT$(dirname "$tree")" && cp -a "$tree" "$INSTALL_ROOT$(dirname "$tree")/" || return 1
  if [ ! -d "$INSTALL_ROOT$share" ]; then
    mkdir -p "$INSTALL_ROOT$(dirname "$share")" && cp -a "$share" "$INSTALL_ROOT$(dirname "$share")/" || return 1
  fi
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
