// Set-returning functions in materialize mode: rows are given as text and converted with each
// result column's input function, so any column type works.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/tuplestore.h"
}

namespace pgdb::pg {

class ResultRows {
 public:
  explicit ResultRows(FunctionCallInfo fcinfo);
  void add(const std::vector<std::optional<std::string>>& columns);

 private:
  Tuplestorestate* store_;
  AttInMetadata* metadata_;
  int columns_;
};

}  // namespace pgdb::pg
