#include "pg/event_trigger.hpp"

#include <string>

#include "core/error.hpp"

namespace pgdb::pg {

EventTriggerData* event_trigger_data(FunctionCallInfo fcinfo, const char* function) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw Error(sqlstate::object_not_in_prerequisite_state,
                std::string(function) + "() runs only as an event trigger");
  return reinterpret_cast<EventTriggerData*>(fcinfo->context);
}

}  // namespace pgdb::pg
