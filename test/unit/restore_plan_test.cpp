#include "snapshots/restore_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace pgdb::snapshots {
namespace {

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// map_columns

bool never_called(const std::string& from, const std::string& to) {
  ADD_FAILURE() << "assignable(" << from << ", " << to << ") called for an unchanged type";
  return false;
}

bool always(const std::string&, const std::string&) { return true; }
bool never(const std::string&, const std::string&) { return false; }

LiveColumn live(std::string name, std::string type) { return LiveColumn{name, type}; }

LiveColumn generated(std::string name, std::string type) {
  LiveColumn c{name, type};
  c.generated = true;
  return c;
}

LiveColumn identity_always(std::string name, std::string type) {
  LiveColumn c{name, type};
  c.identity_always = true;
  return c;
}

TEST(MapColumns, SameColumnsLoadAll) {
  ColumnMapping m = map_columns("public.t", {{"id", "integer"}, {"name", "text"}},
                                {live("id", "integer"), live("name", "text")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"id", "name"}));
  EXPECT_TRUE(m.retyped.empty());
  EXPECT_TRUE(m.ignored.empty());
  EXPECT_TRUE(m.defaulted.empty());
  EXPECT_FALSE(m.overriding_system_value);
}

TEST(MapColumns, ColumnsFollowLiveOrder) {
  ColumnMapping m =
      map_columns("public.t", {{"b", "text"}, {"a", "integer"}, {"c", "date"}},
                  {live("c", "date"), live("a", "integer"), live("b", "text")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"c", "a", "b"}));
}

TEST(MapColumns, AddedLiveColumnIsDefaulted) {
  ColumnMapping m = map_columns(
      "public.t", {{"id", "integer"}},
      {live("id", "integer"), live("added", "text"), live("other", "int")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"id"}));
  EXPECT_EQ(m.defaulted, (Strings{"added", "other"}));
  EXPECT_TRUE(m.ignored.empty());
  EXPECT_TRUE(m.retyped.empty());
}

TEST(MapColumns, DroppedColumnIsIgnored) {
  ColumnMapping m = map_columns("public.t", {{"id", "integer"}, {"gone", "text"}, {"x", "int"}},
                                {live("id", "integer"), live("x", "int")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"id", "x"}));
  EXPECT_EQ(m.ignored, (Strings{"gone"}));
  EXPECT_TRUE(m.defaulted.empty());
}

TEST(MapColumns, AddedAndDroppedTogether) {
  ColumnMapping m = map_columns("public.t", {{"id", "integer"}, {"old", "text"}},
                                {live("new", "text"), live("id", "integer")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"id"}));
  EXPECT_EQ(m.ignored, (Strings{"old"}));
  EXPECT_EQ(m.defaulted, (Strings{"new"}));
}

TEST(MapColumns, GeneratedLiveColumnIsDefaultedNotLoaded) {
  // total exists in the snapshot too: it is recomputed, neither loaded nor reported as ignored.
  ColumnMapping m = map_columns(
      "public.t", {{"qty", "integer"}, {"total", "integer"}},
      {live("qty", "integer"), generated("total", "integer"), generated("fresh", "integer")},
      never_called);
  EXPECT_EQ(m.columns, (Strings{"qty"}));
  EXPECT_EQ(m.defaulted, (Strings{"total", "fresh"}));
  EXPECT_TRUE(m.ignored.empty());
  EXPECT_TRUE(m.retyped.empty());
}

TEST(MapColumns, GeneratedColumnWithChangedTypeIsNotChecked) {
  ColumnMapping m = map_columns("public.t", {{"id", "integer"}, {"total", "integer"}},
                                {live("id", "integer"), generated("total", "text")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"id"}));
  EXPECT_EQ(m.defaulted, (Strings{"total"}));
}

TEST(MapColumns, RetypedColumnWithAssignmentCast) {
  std::vector<std::pair<std::string, std::string>> asked;
  ColumnMapping m = map_columns("public.t", {{"id", "integer"}, {"v", "character varying(10)"}},
                                {live("id", "bigint"), live("v", "character varying(10)")},
                                [&](const std::string& from, const std::string& to) {
                                  asked.emplace_back(from, to);
                                  return true;
                                });
  EXPECT_EQ(m.columns, (Strings{"id", "v"}));
  EXPECT_EQ(m.retyped, (Strings{"id"}));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].first, "integer");  // from the snapshot's type
  EXPECT_EQ(asked[0].second, "bigint");  // to the live type
}

TEST(MapColumns, RetypedColumnWithoutAssignmentCastThrows42804) {
  try {
    map_columns("public.t", {{"id", "integer"}, {"at", "date"}},
                {live("id", "integer"), live("at", "point")}, never);
    FAIL() << "expected pgdb::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "42804");
    std::string message = e.what();
    EXPECT_NE(message.find("\"at\""), std::string::npos) << message;
    EXPECT_NE(message.find("public.t"), std::string::npos) << message;
    EXPECT_NE(message.find("point"), std::string::npos) << message;
    EXPECT_NE(message.find("date"), std::string::npos) << message;
    EXPECT_EQ(e.detail(), "No assignment cast leads from date to point.");
    EXPECT_FALSE(e.hint().empty());
    EXPECT_NE(e.hint().find("target_schema"), std::string::npos) << e.hint();
  }
}

TEST(MapColumns, NoCommonColumnThrows55000) {
  try {
    map_columns("public.t", {{"a", "integer"}, {"b", "text"}}, {live("c", "integer")}, always);
    FAIL() << "expected pgdb::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "55000");
    EXPECT_NE(std::string(e.what()).find("public.t"), std::string::npos) << e.what();
    EXPECT_EQ(e.detail(), "Snapshot columns: a, b.");
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(MapColumns, OnlyGeneratedInCommonThrows55000) {
  try {
    map_columns("public.t", {{"total", "integer"}}, {generated("total", "integer")}, always);
    FAIL() << "expected pgdb::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "55000");
  }
}

TEST(MapColumns, IdentityAlwaysSetsOverriding) {
  ColumnMapping m =
      map_columns("public.t", {{"id", "bigint"}, {"name", "text"}},
                  {identity_always("id", "bigint"), live("name", "text")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"id", "name"}));
  EXPECT_TRUE(m.overriding_system_value);
}

TEST(MapColumns, IdentityAlwaysColumnNotInSnapshotDoesNotOverride) {
  ColumnMapping m =
      map_columns("public.t", {{"name", "text"}},
                  {identity_always("id", "bigint"), live("name", "text")}, never_called);
  EXPECT_EQ(m.columns, (Strings{"name"}));
  EXPECT_EQ(m.defaulted, (Strings{"id"}));
  EXPECT_FALSE(m.overriding_system_value);
}

// ---------------------------------------------------------------------------------------------
// load_order

std::size_t position(const std::vector<int>& order, int table) {
  return static_cast<std::size_t>(std::find(order.begin(), order.end(), table) - order.begin());
}

void expect_permutation(std::vector<int> order, int count) {
  std::sort(order.begin(), order.end());
  std::vector<int> all(count);
  for (int i = 0; i < count; ++i) all[i] = i;
  EXPECT_EQ(order, all);
}

TEST(LoadOrder, NoTables) { EXPECT_TRUE(load_order(0, {}).empty()); }

TEST(LoadOrder, NoReferencesKeepsGivenOrder) {
  EXPECT_EQ(load_order(4, {}), (std::vector<int>{0, 1, 2, 3}));
}

TEST(LoadOrder, ParentsBeforeChildren) {
  // 0 and 1 reference 2; 3 references 0.
  std::vector<int> order = load_order(4, {{0, 2}, {1, 2}, {3, 0}});
  expect_permutation(order, 4);
  EXPECT_LT(position(order, 2), position(order, 0));
  EXPECT_LT(position(order, 2), position(order, 1));
  EXPECT_LT(position(order, 0), position(order, 3));
}

TEST(LoadOrder, ChildListedFirstMovesAfterParent) {
  EXPECT_EQ(load_order(2, {{0, 1}}), (std::vector<int>{1, 0}));
}

TEST(LoadOrder, Chain) {
  // 0 -> 1 -> 2 -> 3 (each references the next).
  EXPECT_EQ(load_order(4, {{0, 1}, {1, 2}, {2, 3}}), (std::vector<int>{3, 2, 1, 0}));
}

TEST(LoadOrder, DiamondWaitsForBothParents) {
  // 0 references 1 and 2, both reference 3.
  std::vector<int> order = load_order(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}});
  expect_permutation(order, 4);
  EXPECT_EQ(order.front(), 3);
  EXPECT_EQ(order.back(), 0);
}

TEST(LoadOrder, SelfReferenceIgnored) {
  EXPECT_EQ(load_order(3, {{1, 1}}), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(load_order(2, {{0, 0}, {0, 1}}), (std::vector<int>{1, 0}));
}

TEST(LoadOrder, DuplicateReferences) {
  EXPECT_EQ(load_order(2, {{0, 1}, {0, 1}}), (std::vector<int>{1, 0}));
}

TEST(LoadOrder, CycleKeepsGivenOrderAtTheEnd) {
  // 1 <-> 3 reference each other; 0 and 2 are free.
  EXPECT_EQ(load_order(4, {{3, 1}, {1, 3}}), (std::vector<int>{0, 2, 1, 3}));
  // A three-table cycle with a free table last.
  EXPECT_EQ(load_order(4, {{0, 1}, {1, 2}, {2, 0}}), (std::vector<int>{3, 0, 1, 2}));
}

TEST(LoadOrder, CycleMembersReferencingOthersStillAfterThem) {
  // 0 <-> 1, and 1 also references 2: 2 loads first.
  std::vector<int> order = load_order(3, {{0, 1}, {1, 0}, {1, 2}});
  EXPECT_EQ(order, (std::vector<int>{2, 0, 1}));
}

TEST(LoadOrder, OutOfRangePairsIgnored) {
  EXPECT_EQ(load_order(3, {{0, 5}, {-1, 0}, {0, -1}, {7, 1}, {3, 0}, {2, 3}}),
            (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(load_order(3, {{0, 9}, {0, 2}}), (std::vector<int>{1, 2, 0}));
}

// ---------------------------------------------------------------------------------------------
// target_ddl

KeywordKind test_keywords(std::string_view word) {
  if (word == "select" || word == "user" || word == "table")
    return KeywordKind::reserved_or_restricted;
  return KeywordKind::not_keyword;
}

Json column(const std::string& name, const std::string& type) {
  Json c = Json::object();
  c.set("name", Json::from_string(name));
  c.set("type", Json::from_string(type));
  return c;
}

Json named(const std::string& name, const std::string& definition) {
  Json o = Json::object();
  o.set("name", Json::from_string(name));
  o.set("definition", Json::from_string(definition));
  return o;
}

Json constraint(const std::string& name, const std::string& type, const std::string& definition) {
  Json c = named(name, definition);
  c.set("type", Json::from_string(type));
  return c;
}

Json index(const std::string& name, bool unique, const std::string& definition) {
  Json i = named(name, definition);
  i.set("unique", Json::from_bool(unique));
  return i;
}

Json sequence(const std::string& column, const std::string& name, const std::string& options) {
  Json s = Json::object();
  s.set("column", Json::from_string(column));
  if (!name.empty()) s.set("name", Json::from_string(name));
  if (!options.empty()) s.set("options", Json::from_string(options));
  return s;
}

Json definition(std::vector<Json> columns, std::vector<Json> constraints = {},
                std::vector<Json> indexes = {}, std::vector<Json> sequences = {}) {
  Json d = Json::object();
  Json cols = Json::array();
  cols.items = std::move(columns);
  d.set("columns", std::move(cols));
  Json cons = Json::array();
  cons.items = std::move(constraints);
  d.set("constraints", std::move(cons));
  Json idx = Json::array();
  idx.items = std::move(indexes);
  d.set("indexes", std::move(idx));
  Json seqs = Json::array();
  seqs.items = std::move(sequences);
  d.set("sequences", std::move(seqs));
  return d;
}

// The whole recorded definition of a table with every kind of column.
Json full_definition() {
  Json id = column("id", "integer");
  id.set("not_null", Json::from_bool(true));
  id.set("default", Json::from_string("nextval('public.\"Orders_id_seq\"'::regclass)"));

  Json code = column("Code", "text");
  code.set("collation", Json::from_string("\"C\""));
  code.set("not_null", Json::from_bool(true));

  Json qty = column("qty", "integer");
  qty.set("default", Json::from_string("0"));

  Json total = column("total", "numeric");
  total.set("generated", Json::from_string("(qty * 2)"));

  Json user = column("user", "bigint");
  user.set("identity", Json::from_string("a"));
  user.set("not_null", Json::from_bool(true));

  Json n = column("n", "bigint");
  n.set("identity", Json::from_string("d"));

  Json note = column("note", "character varying(20)");
  note.set("not_null", Json::from_bool(false));

  return definition(
      {id, code, qty, total, user, n, note},
      {constraint("Orders_pkey", "p", "PRIMARY KEY (id)"),
       constraint("orders_code_key", "u", "UNIQUE (\"Code\")"),
       constraint("orders_user_fkey", "f", "FOREIGN KEY (\"user\") REFERENCES users(id)"),
       constraint("qty_positive", "c", "CHECK ((qty >= 0))")},
      {index("orders_qty_idx", false, "USING btree (qty)"),
       index("Orders_lower_code", true, "USING btree (lower(\"Code\"))")},
      {sequence("id", "Orders_id_seq",
                "AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1"),
       sequence("user", "orders_user_seq", "START WITH 10 INCREMENT BY 5")});
}

TEST(TargetDdl, FullDefinition) {
  TargetDdl ddl = target_ddl(full_definition(), "Restore", "Orders", test_keywords);
  EXPECT_EQ(ddl.before,
            (Strings{"CREATE SEQUENCE \"Restore\".\"Orders_id_seq\" AS integer START WITH 1 "
                     "INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1"}));
  EXPECT_EQ(ddl.create_table,
            "CREATE TABLE \"Restore\".\"Orders\" ("
            "id integer DEFAULT pg_catalog.nextval('\"Restore\".\"Orders_id_seq\"'::pg_catalog."
            "regclass) NOT NULL, "
            "\"Code\" text COLLATE \"C\" NOT NULL, "
            "qty integer DEFAULT 0, "
            "total numeric GENERATED ALWAYS AS ((qty * 2)) STORED, "
            "\"user\" bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5) NOT NULL, "
            "n bigint GENERATED BY DEFAULT AS IDENTITY, "
            "note character varying(20))");
  EXPECT_EQ(ddl.load_columns, (Strings{"id", "Code", "qty", "user", "n", "note"}));
  EXPECT_TRUE(ddl.overriding_system_value);
  EXPECT_EQ(
      ddl.after,
      (Strings{"ALTER SEQUENCE \"Restore\".\"Orders_id_seq\" OWNED BY \"Restore\".\"Orders\".id",
               "ALTER TABLE \"Restore\".\"Orders\" ADD CONSTRAINT \"Orders_pkey\" PRIMARY KEY (id)",
               "ALTER TABLE \"Restore\".\"Orders\" ADD CONSTRAINT orders_code_key UNIQUE "
               "(\"Code\")",
               "ALTER TABLE \"Restore\".\"Orders\" ADD CONSTRAINT qty_positive CHECK ((qty >= 0))",
               "CREATE INDEX orders_qty_idx ON \"Restore\".\"Orders\" USING btree (qty)",
               "CREATE UNIQUE INDEX \"Orders_lower_code\" ON \"Restore\".\"Orders\" USING btree "
               "(lower(\"Code\"))"}));
}

TEST(TargetDdl, ForeignKeysAreNotRecreated) {
  TargetDdl ddl = target_ddl(full_definition(), "restore", "orders", test_keywords);
  for (const std::string& statement : ddl.after) {
    EXPECT_EQ(statement.find("FOREIGN KEY"), std::string::npos) << statement;
    EXPECT_EQ(statement.find("orders_user_fkey"), std::string::npos) << statement;
  }
}

TEST(TargetDdl, PlainLowerCaseNamesStayBare) {
  TargetDdl ddl = target_ddl(
      definition({column("a", "integer")}, {constraint("t_pkey", "p", "PRIMARY KEY (a)")},
                 {index("t_a_idx", false, "USING btree (a)")}),
      "copy", "t", test_keywords);
  EXPECT_TRUE(ddl.before.empty());
  EXPECT_EQ(ddl.create_table, "CREATE TABLE copy.t (a integer)");
  EXPECT_EQ(ddl.load_columns, (Strings{"a"}));
  EXPECT_FALSE(ddl.overriding_system_value);
  EXPECT_EQ(ddl.after, (Strings{"ALTER TABLE copy.t ADD CONSTRAINT t_pkey PRIMARY KEY (a)",
                                "CREATE INDEX t_a_idx ON copy.t USING btree (a)"}));
}

TEST(TargetDdl, ReservedWordsAreQuoted) {
  TargetDdl ddl = target_ddl(definition({column("select", "integer"), column("user", "text")}, {},
                                        {index("table", true, "USING btree (\"select\")")}),
                             "user", "table", test_keywords);
  EXPECT_EQ(ddl.create_table,
            "CREATE TABLE \"user\".\"table\" (\"select\" integer, \"user\" text)");
  EXPECT_EQ(ddl.load_columns, (Strings{"select", "user"}));  // names, unquoted
  EXPECT_EQ(ddl.after, (Strings{"CREATE UNIQUE INDEX \"table\" ON \"user\".\"table\" USING btree "
                                "(\"select\")"}));
}

TEST(TargetDdl, EmbeddedQuotesAreDoubled) {
  TargetDdl ddl =
      target_ddl(definition({column("a\"b", "integer")}, {}, {}, {sequence("a\"b", "s'q", "")}),
                 "x", "t", test_keywords);
  EXPECT_EQ(ddl.before, (Strings{"CREATE SEQUENCE x.\"s'q\""}));
  EXPECT_EQ(ddl.create_table,
            "CREATE TABLE x.t (\"a\"\"b\" integer DEFAULT pg_catalog.nextval('x.\"s''q\"'::"
            "pg_catalog.regclass))");
}

TEST(TargetDdl, SerialSequenceWithoutOptions) {
  TargetDdl ddl =
      target_ddl(definition({column("id", "integer")}, {}, {}, {sequence("id", "t_id_seq", "")}),
                 "s", "t", test_keywords);
  EXPECT_EQ(ddl.before, (Strings{"CREATE SEQUENCE s.t_id_seq"}));
  EXPECT_EQ(ddl.create_table,
            "CREATE TABLE s.t (id integer DEFAULT pg_catalog.nextval('s.t_id_seq'::pg_catalog."
            "regclass))");
  ASSERT_FALSE(ddl.after.empty());
  EXPECT_EQ(ddl.after.front(), "ALTER SEQUENCE s.t_id_seq OWNED BY s.t.id");
  EXPECT_EQ(ddl.load_columns, (Strings{"id"}));
}

TEST(TargetDdl, IdentityWithoutSequenceOptions) {
  Json a = column("a", "integer");
  a.set("identity", Json::from_string("a"));
  Json d = column("d", "integer");
  d.set("identity", Json::from_string("d"));
  TargetDdl ddl = target_ddl(definition({a, d}), "s", "t", test_keywords);
  EXPECT_EQ(ddl.create_table,
            "CREATE TABLE s.t (a integer GENERATED ALWAYS AS IDENTITY, d integer GENERATED BY "
            "DEFAULT AS IDENTITY)");
  EXPECT_TRUE(ddl.before.empty());
  EXPECT_TRUE(ddl.overriding_system_value);
}

TEST(TargetDdl, ByDefaultIdentityDoesNotOverride) {
  Json d = column("d", "integer");
  d.set("identity", Json::from_string("d"));
  TargetDdl ddl = target_ddl(definition({d}, {}, {}, {sequence("d", "t_d_seq", "CACHE 5")}), "s",
                             "t", test_keywords);
  EXPECT_EQ(ddl.create_table,
            "CREATE TABLE s.t (d integer GENERATED BY DEFAULT AS IDENTITY (CACHE 5))");
  EXPECT_FALSE(ddl.overriding_system_value);
  EXPECT_TRUE(ddl.before.empty());  // the identity sequence comes with its column
  EXPECT_TRUE(ddl.after.empty());   // and needs no OWNED BY
  EXPECT_EQ(ddl.load_columns, (Strings{"d"}));
}

TEST(TargetDdl, GeneratedColumnIsNotLoaded) {
  Json g = column("g", "integer");
  g.set("generated", Json::from_string("a + 1"));
  g.set("default", Json::from_string("7"));  // never both in practice: generated wins
  TargetDdl ddl = target_ddl(definition({column("a", "integer"), g}), "s", "t", test_keywords);
  EXPECT_EQ(ddl.create_table,
            "CREATE TABLE s.t (a integer, g integer GENERATED ALWAYS AS (a + 1) STORED)");
  EXPECT_EQ(ddl.load_columns, (Strings{"a"}));
}

TEST(TargetDdl, MissingArraysAreEmpty) {
  Json d = Json::object();
  Json cols = Json::array();
  cols.items.push_back(column("a", "integer"));
  d.set("columns", cols);
  TargetDdl ddl = target_ddl(d, "s", "t", test_keywords);
  EXPECT_EQ(ddl.create_table, "CREATE TABLE s.t (a integer)");
  EXPECT_TRUE(ddl.before.empty());
  EXPECT_TRUE(ddl.after.empty());
}

void expect_damaged(const Json& d) {
  try {
    target_ddl(d, "s", "t", test_keywords);
    ADD_FAILURE() << "expected pgdb::Error for " << to_json_text(d);
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "XX000");
    EXPECT_NE(std::string(e.what()).find("snapshot definition is damaged"), std::string::npos)
        << e.what();
  }
}

TEST(TargetDdl, DamagedDefinitionsThrowInternalError) {
  expect_damaged(Json::object());  // no columns
  expect_damaged(definition({}));  // empty columns
  Json no_type = Json::object();
  no_type.set("name", Json::from_string("a"));
  expect_damaged(definition({no_type}));
  Json number_type = column("a", "integer");
  number_type.set("type", Json::from_number("23"));
  expect_damaged(definition({number_type}));
  Json seq_without_column = Json::object();
  seq_without_column.set("name", Json::from_string("s"));
  expect_damaged(definition({column("a", "integer")}, {}, {}, {seq_without_column}));
  expect_damaged(definition({column("a", "integer")}, {}, {}, {sequence("a", "", "CACHE 1")}));
  Json constraint_without_type = named("c", "CHECK (true)");
  expect_damaged(definition({column("a", "integer")}, {constraint_without_type}));
  Json index_without_definition = Json::object();
  index_without_definition.set("name", Json::from_string("i"));
  expect_damaged(definition({column("a", "integer")}, {}, {index_without_definition}));
}

}  // namespace
}  // namespace pgdb::snapshots

namespace pgdb::snapshots {
namespace {

// Serial sequences keep their data type (AS ...), which identity columns must not repeat: their
// type is the column's, and AS among identity options is a syntax error.
TEST(TargetDdl, SequenceDataTypeOnlyForSerialSequences) {
  Json serial = Json::object();
  serial.set("name", Json::from_string("id"));
  serial.set("type", Json::from_string("integer"));
  Json serial_seq = Json::object();
  serial_seq.set("column", Json::from_string("id"));
  serial_seq.set("name", Json::from_string("t_id_seq"));
  serial_seq.set("data_type", Json::from_string("integer"));
  serial_seq.set("options", Json::from_string("INCREMENT BY 1"));
  Json ident = Json::object();
  ident.set("name", Json::from_string("n"));
  ident.set("type", Json::from_string("bigint"));
  ident.set("identity", Json::from_string("d"));
  Json ident_seq = Json::object();
  ident_seq.set("column", Json::from_string("n"));
  ident_seq.set("name", Json::from_string("t_n_seq"));
  ident_seq.set("data_type", Json::from_string("bigint"));
  ident_seq.set("options", Json::from_string("INCREMENT BY 1"));
  Json d = Json::object();
  Json cols = Json::array();
  cols.items = {serial, ident};
  d.set("columns", cols);
  Json seqs = Json::array();
  seqs.items = {serial_seq, ident_seq};
  d.set("sequences", seqs);
  TargetDdl ddl =
      target_ddl(d, "s", "t", [](std::string_view) { return KeywordKind::not_keyword; });
  ASSERT_EQ(ddl.before.size(), 1u);
  EXPECT_EQ(ddl.before[0], "CREATE SEQUENCE s.t_id_seq AS integer INCREMENT BY 1");
  EXPECT_EQ(
      ddl.create_table,
      "CREATE TABLE s.t (id integer DEFAULT pg_catalog.nextval('s.t_id_seq'::pg_catalog.regclass), "
      "n bigint GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 1))");
}

}  // namespace
}  // namespace pgdb::snapshots

namespace pgdb::snapshots {
namespace {

// A definition whose code would run with the restorer's rights is recreated without it.
TEST(TargetDdl, UntrustedDefinitionLeavesOutCode) {
  auto text = [](const std::string& v) { return Json::from_string(v); };
  Json id = Json::object();
  id.set("name", text("id"));
  id.set("type", text("integer"));
  id.set("not_null", Json::from_bool(true));
  Json v = Json::object();
  v.set("name", text("v"));
  v.set("type", text("integer"));
  v.set("default", text("evil()"));
  Json g = Json::object();
  g.set("name", text("g"));
  g.set("type", text("integer"));
  g.set("generated", text("(v * 2)"));
  Json cols = Json::array();
  cols.items = {id, v, g};
  Json pk = Json::object();
  pk.set("name", text("t_pkey"));
  pk.set("type", text("p"));
  pk.set("definition", text("PRIMARY KEY (id)"));
  Json check = Json::object();
  check.set("name", text("t_v_check"));
  check.set("type", text("c"));
  check.set("definition", text("CHECK (evil(v))"));
  Json cons = Json::array();
  cons.items = {pk, check};
  Json plain_index = Json::object();
  plain_index.set("name", text("t_v"));
  plain_index.set("definition", text("USING btree (v)"));
  Json expr_index = Json::object();
  expr_index.set("name", text("t_e"));
  expr_index.set("expressions", Json::from_bool(true));
  expr_index.set("definition", text("USING btree (evil(v))"));
  Json idx = Json::array();
  idx.items = {plain_index, expr_index};
  Json d = Json::object();
  d.set("columns", cols);
  d.set("constraints", cons);
  d.set("indexes", idx);
  auto keywords = [](std::string_view) { return KeywordKind::not_keyword; };

  TargetDdl untrusted = target_ddl(d, "s", "t", keywords, false);
  EXPECT_EQ(untrusted.create_table, "CREATE TABLE s.t (id integer NOT NULL, v integer, g integer)");
  EXPECT_EQ(untrusted.load_columns, (std::vector<std::string>{"id", "v", "g"}));
  EXPECT_EQ(untrusted.after,
            (std::vector<std::string>{"ALTER TABLE s.t ADD CONSTRAINT t_pkey PRIMARY KEY (id)",
                                      "CREATE INDEX t_v ON s.t USING btree (v)"}));
  EXPECT_EQ(untrusted.skipped,
            (std::vector<std::string>{"default of column v", "generation expression of column g",
                                      "constraint t_v_check", "index t_e"}));

  TargetDdl trusted = target_ddl(d, "s", "t", keywords, true);
  EXPECT_EQ(trusted.create_table,
            "CREATE TABLE s.t (id integer NOT NULL, v integer DEFAULT evil(), "
            "g integer GENERATED ALWAYS AS ((v * 2)) STORED)");
  EXPECT_EQ(trusted.load_columns, (std::vector<std::string>{"id", "v"}));
  EXPECT_EQ(trusted.after.size(), 4u);
  EXPECT_TRUE(trusted.skipped.empty());
}

// Rows compared as multisets of row hashes: order does not matter, duplicates count.
TEST(CompareRows, CountsRowsOnEachSideOnly) {
  std::vector<unsigned __int128> current{5, 1, 3, 3, 9};
  std::vector<unsigned __int128> snapshot{3, 1, 2, 7};
  RowChanges changes = compare_rows(current, snapshot);
  EXPECT_EQ(changes.removed, 3u);     // one 3, 5 and 9
  EXPECT_EQ(changes.reinstated, 2u);  // 2 and 7
}

TEST(CompareRows, EqualContentsInAnyOrderChangeNothing) {
  std::vector<unsigned __int128> current{4, 2, 2, 8};
  std::vector<unsigned __int128> snapshot{2, 8, 4, 2};
  RowChanges changes = compare_rows(current, snapshot);
  EXPECT_EQ(changes.removed, 0u);
  EXPECT_EQ(changes.reinstated, 0u);
}

TEST(CompareRows, EmptySides) {
  std::vector<unsigned __int128> none;
  std::vector<unsigned __int128> three{(static_cast<unsigned __int128>(1) << 100), 2, 3};
  RowChanges emptied = compare_rows(none, three);
  EXPECT_EQ(emptied.removed, 0u);
  EXPECT_EQ(emptied.reinstated, 3u);
  std::vector<unsigned __int128> none_again;
  RowChanges added = compare_rows(three, none_again);
  EXPECT_EQ(added.removed, 3u);
  EXPECT_EQ(added.reinstated, 0u);
}

// ---------------------------------------------------------------------------------------------
// bulk_reload_refusal

TEST(BulkReload, PlainTableWithSameColumnsLoadsInBulk) {
  ColumnMapping m;
  m.columns = {"id", "name"};
  EXPECT_EQ(bulk_reload_refusal(m, {}), std::nullopt);
  m.ignored = {"gone"};  // a snapshot column no longer in the table is simply not loaded
  m.overriding_system_value = true;
  EXPECT_EQ(bulk_reload_refusal(m, {}), std::nullopt);
}

TEST(BulkReload, EachReasonForInsertSelect) {
  ColumnMapping m;
  m.columns = {"id"};
  ReloadFacts partitioned;
  partitioned.partitioned = true;
  EXPECT_NE(bulk_reload_refusal(m, partitioned).value().find("partitioned"), std::string::npos);
  ReloadFacts partition;
  partition.partition = true;
  EXPECT_NE(bulk_reload_refusal(m, partition).value().find("bounds"), std::string::npos);
  ReloadFacts triggers;
  triggers.insert_triggers = true;
  EXPECT_NE(bulk_reload_refusal(m, triggers).value().find("triggers"), std::string::npos);
  ReloadFacts no_insert;
  no_insert.owner_may_insert = false;
  EXPECT_NE(bulk_reload_refusal(m, no_insert).value().find("INSERT"), std::string::npos);
  ColumnMapping retyped = m;
  retyped.retyped = {"id"};
  EXPECT_NE(bulk_reload_refusal(retyped, {}).value().find("type"), std::string::npos);
  ColumnMapping defaulted = m;
  defaulted.defaulted = {"created"};
  EXPECT_NE(bulk_reload_refusal(defaulted, {}).value().find("filled"), std::string::npos);
}

}  // namespace
}  // namespace pgdb::snapshots
