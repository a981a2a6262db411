// jsonb values as the PG-free Json model.
#pragma once

#include "core/json.hpp"
#include "pg/postgres.hpp"

namespace pgdb::pg {

Json jsonb_to_json(Datum jsonb);

}  // namespace pgdb::pg
