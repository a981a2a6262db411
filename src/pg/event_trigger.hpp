// Event trigger functions (ddl_command_start, ddl_command_end, sql_drop): what PostgreSQL passes
// them, checked once here.
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "commands/event_trigger.h"
}

namespace pgdb::pg {

// The event trigger data; 55000 ("_name() runs only as an event trigger") unless the function was
// called by the event trigger manager.
EventTriggerData* event_trigger_data(FunctionCallInfo fcinfo, const char* function);

}  // namespace pgdb::pg
