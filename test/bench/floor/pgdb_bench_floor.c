/* An empty row trigger: returns the row it was given. What PostgreSQL's trigger machinery costs
 * with no work at all, so every trigger benchmark can be read against it. */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(bench_empty_trigger);

Datum
bench_empty_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *data = (TriggerData *) fcinfo->context;

	if (TRIGGER_FIRED_BY_UPDATE(data->tg_event))
		return PointerGetDatum(data->tg_newtuple);
	return PointerGetDatum(data->tg_trigtuple);
}
