#include "snapshots/copy_text_pg.hpp"

#include <cstring>

#include "snapshots/archive_path.hpp"

extern "C" {
#include "access/table.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
}

namespace pgdb::snapshots {

namespace {

TextForm form_of(Oid output_function) {
  switch (output_function) {
    case F_TEXTOUT:
    case F_VARCHAROUT:
    case F_BPCHAROUT:
      return TextForm::text;
    case F_INT2OUT:
      return TextForm::int2;
    case F_INT4OUT:
      return TextForm::int4;
    case F_INT8OUT:
      return TextForm::int8;
    default:
      return TextForm::output;
  }
}

// One value's COPY text (and its contribution to hash). The integer and text forms give the bytes
// their output functions would return; hash_column_value hashes those types by their binary form,
// which is what is added here.
void append_value(std::string& out, RowHashColumn& rule, TextForm form, Datum value,
                  ContentHash* hash) {
  char digits[24];
  int length = 0;
  switch (form) {
    case TextForm::text: {
      struct varlena* stored = reinterpret_cast<struct varlena*>(DatumGetPointer(value));
      struct varlena* v = VARATT_IS_EXTENDED(stored) ? pg_detoast_datum_packed(stored) : stored;
      archive::append_copy_text(out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
      if (hash != nullptr) hash->add_value(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
      if (v != stored) pfree(v);
      return;
    }
    case TextForm::int2:
      length = pg_itoa(DatumGetInt16(value), digits);
      break;
    case TextForm::int4:
      length = pg_ltoa(DatumGetInt32(value), digits);
      break;
    case TextForm::int8:
      length = pg_lltoa(DatumGetInt64(value), digits);
      break;
    case TextForm::output: {
      // A toasted value is detoasted once, for its output function and the hash alike (a 50 MB
      // bytea is otherwise held twice).
      struct varlena* stored = reinterpret_cast<struct varlena*>(DatumGetPointer(value));
      struct varlena* detoasted = nullptr;
      if (rule.length == -1 && VARATT_IS_EXTENDED(stored)) {
        detoasted = pg_detoast_datum_packed(stored);
        value = PointerGetDatum(detoasted);
      }
      char* text = OutputFunctionCall(&rule.output, value);
      archive::append_copy_text(out, text, std::strlen(text));
      if (hash != nullptr) hash_column_value(*hash, rule, value, false, text);
      if (detoasted != nullptr && detoasted != stored) pfree(detoasted);
      return;
    }
  }
  out.append(digits, static_cast<std::size_t>(length));
  if (hash != nullptr) hash_column_value(*hash, rule, value, false);
}

}  // namespace

void open_text_columns(TextColumns& c, Oid relid) {
  c.table = table_open(relid, AccessShareLock);
  TupleDesc desc = RelationGetDescr(c.table);
  c.names = static_cast<const char**>(palloc0(sizeof(char*) * (desc->natts + 1)));
  c.hash = static_cast<RowHashColumn*>(palloc0(sizeof(RowHashColumn) * (desc->natts + 1)));
  c.form = static_cast<TextForm*>(palloc0(sizeof(TextForm) * (desc->natts + 1)));
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute att = TupleDescAttr(desc, i);
    if (att->attisdropped) continue;
    c.names[c.count] = NameStr(att->attname);
    prepare_row_hash_column(c.hash[c.count], att->atttypid);
    c.form[c.count] =
        c.hash[c.count].as_text ? TextForm::output : form_of(c.hash[c.count].output.fn_oid);
    ++c.count;
  }
  c.per_batch =
      AllocSetContextCreate(CurrentMemoryContext, "pgdb_tools COPY text", ALLOCSET_DEFAULT_SIZES);
}

void close_text_columns(TextColumns& c) {
  MemoryContextDelete(c.per_batch);
  pfree(c.form);
  pfree(c.hash);
  pfree(c.names);
  table_close(c.table, NoLock);
}

void open_text_scan(const TextColumns& c, TextScan& s, Oid relid, Snapshot snapshot) {
  s.relation = table_open(relid, AccessShareLock);
  s.attnums = static_cast<AttrNumber*>(palloc0(sizeof(AttrNumber) * (c.count + 1)));
  for (int i = 0; i < c.count; ++i) {
    s.attnums[i] = get_attnum(relid, c.names[i]);
    if (s.attnums[i] <= 0)
      elog(ERROR, "column \"%s\" of relation %u is missing", c.names[i], relid);
  }
  s.slot = table_slot_create(s.relation, nullptr);
  s.scan = table_beginscan(s.relation, snapshot, 0, nullptr);
}

void close_text_scan(TextScan& s) {
  table_endscan(s.scan);
  ExecDropSingleTupleTableSlot(s.slot);
  pfree(s.attnums);
  table_close(s.relation, NoLock);
}

bool text_batch(TextColumns& c, TextScan& s, std::string& out, ContentHash* hash,
                std::uint64_t& rows) {
  MemoryContext old = MemoryContextSwitchTo(c.per_batch);
  bool more = true;
  while (out.size() < copy_text_batch_bytes) {
    if (!table_scan_getnextslot(s.scan, ForwardScanDirection, s.slot)) {
      more = false;
      break;
    }
    slot_getallattrs(s.slot);
    if (hash != nullptr) hash->begin_row();
    for (int i = 0; i < c.count; ++i) {
      if (i > 0) out.push_back('\t');
      int at = s.attnums[i] - 1;
      if (s.slot->tts_isnull[at]) {
        archive::append_copy_null(out);
        if (hash != nullptr) hash->add_null();
      } else {
        append_value(out, c.hash[i], c.form[i], s.slot->tts_values[at], hash);
      }
    }
    if (hash != nullptr) hash->end_row();
    out.push_back('\n');
    ++rows;
  }
  MemoryContextSwitchTo(old);
  MemoryContextReset(c.per_batch);
  return more;
}

}  // namespace pgdb::snapshots
