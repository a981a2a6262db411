// Included last by every src/core/ translation unit: the core must build and be tested without a
// PostgreSQL server or its headers, so a PostgreSQL header that leaks in stops the build here.
// (CMake also builds the core without PostgreSQL's include directory.)
#pragma once

#if defined(POSTGRES_H) || defined(PG_VERSION_NUM) || defined(FMGR_H)
#error "src/core/ is PG-free: a PostgreSQL header was included"
#endif
