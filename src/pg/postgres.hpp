// The only way boundary files include PostgreSQL: C linkage, and after the C++ standard headers,
// since PostgreSQL's port.h redefines printf-family names that <cstdio> and friends declare.
// Never included from src/core/.
#pragma once

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "parser/scansup.h"
#include "common/keywords.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}
