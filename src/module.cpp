// Loading the library: module magic, per-backend set-up, and the version function.
#include "partitions/children_cache_pg.hpp"
#include "pg/cron.hpp"
#include "pg/datum.hpp"
#include "pg/guard.hpp"
#include "pg/xact.hpp"
#include "snapshots/files_pg.hpp"
#include "triggers/bypass.hpp"
#include "triggers/executors.hpp"
#include "triggers/history.hpp"

#ifndef PGDB_TOOLS_VERSION
#error "PGDB_TOOLS_VERSION must be defined by the build (from pgdb_tools.control)"
#endif

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

void _PG_init(void) {
  pgdb::pg::install_xact_callbacks();
  pgdb::pg::init_cron();
  pgdb::triggers::init_executors();
  pgdb::triggers::init_bypass();
  pgdb::archive::init_archive_settings();
  pgdb::triggers::init_history();
  pgdb::partitions::init_children_cache();
}

PGDB_FUNCTION(pgdb_tools_version) { return pgdb::pg::string_to_text(PGDB_TOOLS_VERSION); }
