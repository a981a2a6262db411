# pgdb_tools: PGXS build of the extension, plus the one-command entry points (test, demo, bench).
#
#   make / make install    build and install the extension (needs postgresql-server-dev-15)
#   make test              install what is missing, build, install, unit tests, pg_regress, e2e
#   make demo / demo-stop  a throwaway server with the demo loaded / stop it
#   make bench             benchmarks against the anchors, with ratios
#   make installcheck      the pg_regress suites against a running server (README, "Running the
#                          suites against your own server")
#   make format            clang-format -i over the C++ of src/ and test/ (make test checks it)

# SRC is the source tree: "." in place, or the Makefile's directory in a build directory of its
# own (make -C build/pg18 -f "$PWD/Makefile" PG_CONFIG=..., which make test does per major version).
SRC := $(patsubst %/,%,$(dir $(firstword $(MAKEFILE_LIST))))
# src_files GLOBS: the source files matching GLOBS, named relative to SRC.
src_files = $(patsubst $(SRC)/%,%,$(sort $(wildcard $(addprefix $(SRC)/,$(1)))))

EXTENSION = pgdb_tools
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(SRC)/$(EXTENSION).control)
MODULE_big = pgdb_tools

CORE_SRCS := $(call src_files,src/core/*.cpp)
BOUNDARY_SRCS := $(call src_files,src/pg/*.cpp)
FEATURE_SRCS := $(call src_files,src/triggers/*.cpp src/partitions/*.cpp src/snapshots/*.cpp)
OBJS = src/module.o $(CORE_SRCS:.cpp=.o) $(BOUNDARY_SRCS:.cpp=.o) $(FEATURE_SRCS:.cpp=.o)

# The install script is assembled from the .sql beside each piece of C++ (module.sql first), so
# it can never be mistaken for a regression test under sql/.
SQL_PARTS := src/module.sql $(call src_files,src/pg/*.sql src/triggers/*.sql src/partitions/*.sql src/snapshots/*.sql)
EXTENSION_SCRIPT := build/$(EXTENSION)--$(EXTVERSION).sql
DATA_built = $(EXTENSION_SCRIPT)
# Earlier releases' install scripts, frozen as they shipped, and the upgrade scripts from them
# (ALTER EXTENSION pgdb_tools UPDATE; test/e2e/upgrade.sh upgrades each one and compares).
DATA = $(call src_files,src/upgrade/$(EXTENSION)--*.sql)
EXTRA_CLEAN = build/cmake build/archive-cli results regression.diffs regression.out $(OBJS:.o=.d)

# make installcheck: every suite of sql/ against expected/, as make test runs them
# (test/run_tests.sh): in one existing database, pg_cron's (cron.database_name), which pg_regress
# must not drop and recreate (pg_cron stays connected to it): pgdb_regress unless
# CONTRIB_TESTDB=name is given.
REGRESS = $(basename $(notdir $(call src_files,sql/*.sql)))
REGRESS_OPTS = --use-existing --inputdir=$(SRC)
REGRESS_PREP = installcheck-prep

PG_CPPFLAGS = -I$(SRC)/src -DPGDB_TOOLS_VERSION='"$(EXTVERSION)"'
PG_CXXFLAGS = -std=c++20 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
              -Wno-register -fno-strict-aliasing -MMD -MP
SHLIB_LINK = -lstdc++ -lzstd -llz4
# PGDB_NO_DEBUG_INFO=1 (make test): no debug information (-g0 after the server's -g). The code
# generated is the same; the build takes about a third less.
ifdef PGDB_NO_DEBUG_INFO
PG_CXXFLAGS += -g0
endif

# PostgreSQL's JIT bitcode step would compile our C++ with clang and the server's C++14 flags (and
# fail where clang is absent). Nothing is gained from inlining C++ entry points into JIT-compiled
# expressions, so no bitcode is built or installed.
override with_llvm = no

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
all install:
	@echo "PostgreSQL's server development files are missing: run 'make test' (it installs them)" \
	      "or apt-get install postgresql-server-dev-15." >&2; exit 1
endif

$(EXTENSION_SCRIPT): $(SQL_PARTS) $(EXTENSION).control
	@mkdir -p $(dir $@)
	cat $(filter %.sql,$^) > $@

# Header dependencies: each object's .d (written by -MMD as it compiles) names what it includes.
-include $(OBJS:.o=.d)
# An object without its .d yet (built before -MMD) is rebuilt when any header is newer.
$(filter-out $(patsubst %.d,%.o,$(wildcard $(OBJS:.o=.d))),$(OBJS)): $(call src_files,src/*/*.hpp)
# The library reports the control file's version (PGDB_TOOLS_VERSION).
src/module.o: $(EXTENSION).control

# pgdb-archive (docs/archive-cli.md), built by CMake from the PG-free codec (no tests, no server
# headers; -O2, since g++ 12's -O3 warns falsely on std::string and the core builds with -Werror),
# installed into PostgreSQL's bindir (honouring DESTDIR) beside the extension. It includes nothing
# of PostgreSQL, so one build serves every server: make test builds it once, in its unit tests'
# plain build (ARCHIVE_CLI_DIR=<checkout>/build/cmake, configured with the same build type and
# flags) or, without one, in <checkout>/build/archive-cli.
ARCHIVE_CLI_DIR ?= build/archive-cli
ARCHIVE_CLI := $(ARCHIVE_CLI_DIR)/pgdb-archive
all: $(ARCHIVE_CLI)
.PHONY: $(ARCHIVE_CLI) install-archive-cli uninstall-archive-cli
$(ARCHIVE_CLI):
	@[ -f $(ARCHIVE_CLI_DIR)/CMakeCache.txt ] || cmake -S '$(abspath $(SRC))' -B $(ARCHIVE_CLI_DIR) \
	  -DPGDB_TESTS=OFF -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE='-O2 -DNDEBUG' >/dev/null
	+@cmake --build $(ARCHIVE_CLI_DIR) --target pgdb-archive >/dev/null
install: install-archive-cli
install-archive-cli: $(ARCHIVE_CLI)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(ARCHIVE_CLI) '$(DESTDIR)$(bindir)/pgdb-archive'
uninstall: uninstall-archive-cli
uninstall-archive-cli:
	rm -f '$(DESTDIR)$(bindir)/pgdb-archive'

CONTRIB_TESTDB = pgdb_regress
# The boundary suites need the test-only extension: say so once rather than fail five suites.
.PHONY: installcheck-prep
installcheck-prep:
	@'$(bindir)/psql' -X -At -d '$(CONTRIB_TESTDB)' -c "SELECT 'available' FROM pg_available_extensions \
	  WHERE name = 'pgdb_tools_selftest'" 2>&1 | grep -qx available || { echo "make installcheck:" \
	  "database $(CONTRIB_TESTDB) unreachable or extension pgdb_tools_selftest not installed" \
	  "(bash test/selftest/install.sh; see README)" >&2; exit 1; }


# Objects are never shared between PostgreSQL major versions. In place, build/pg_major names the
# version the objects were built for; building for another rebuilds them all.
PG_MAJOR_STAMP := build/pg_major
$(OBJS): $(PG_MAJOR_STAMP)
$(PG_MAJOR_STAMP): pg-major-check
	@mkdir -p $(@D) && { [ "$$(cat $@ 2>/dev/null)" = "$(MAJORVERSION)" ] || echo "$(MAJORVERSION)" > $@; }
.PHONY: pg-major-check
ifneq ($(SRC),.)
# In a build directory of its own, only sources come from the source tree: objects, a library or a
# script built there in place (perhaps for another PostgreSQL) never stand in for this directory's.
VPATH :=
vpath src/%.cpp $(SRC)
vpath src/%.hpp $(SRC)
vpath src/%.sql $(SRC)
vpath %.control $(SRC)
$(OBJS): | $(sort $(dir $(OBJS)))
$(sort $(dir $(OBJS))):
	@mkdir -p $@
endif

.PHONY: test demo demo-stop bench unit format
test:
	@bash test/run_tests.sh
demo:
	@bash test/demo.sh start
demo-stop:
	@bash test/demo.sh stop
bench:
	@bash test/bench/run.sh
unit:
	@bash test/run_tests.sh --unit-only
format:
	@bash test/format_check.sh --fix
