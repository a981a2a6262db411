// pgdb-archive sql's script (src/cli/sql_script.cpp), the JSON text reader of definitions
// (src/cli/json_text.cpp) and the listing's timestamps.
#include <gtest/gtest.h>

#include "cli/cli_args.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/sql_script.hpp"
#include "core/error.hpp"

using namespace pgdb;
using namespace pgdb::cli;

namespace {

// A definition as _snapshot_definition records it (jsonb's text form).
const char* orders_definition =
    R"j({"owner": "alice", "columns": [)j"
    R"j({"name": "id", "type": "integer", "default": "nextval('app.orders_id_seq'::regclass)", )j"
    R"j("identity": null, "not_null": true, "collation": null, "generated": null}, )j"
    R"j({"name": "Note", "type": "text", "default": null, "identity": null, "not_null": false, )j"
    R"j("collation": "pg_catalog.\"C\"", "generated": null}, )j"
    R"j({"name": "twice", "type": "integer", "default": null, "identity": null, )j"
    R"j("not_null": false, "collation": null, "generated": "(id * 2)"}], )j"
    R"j("indexes": [{"name": "orders_note", "unique": true, "expressions": false, )j"
    R"j("definition": "USING btree (\"Note\")"}], "relkind": "r", "sequences": [{"name": )j"
    R"j("orders_id_seq", "column": "id", "options": "INCREMENT BY 1", "identity": false, )j"
    R"j("recorded": true, "data_type": "integer", "last_value": 42}], "constraints": [{"name": )j"
    R"j("orders_pkey", "type": "p", "definition": "PRIMARY KEY (id)"}, {"name": "orders_fk", )j"
    R"j("type": "f", "definition": "FOREIGN KEY (id) REFERENCES app.x(id)"}], )j"
    R"j("primary_key": ["id"], "partition_key": null})j";

archive::Manifest manifest() {
  archive::Manifest m;
  m.snapshot_name = "nightly\nDROP TABLE x;";
  m.server_version = "15.10";
  m.tables.push_back({"app", "orders", orders_definition});
  m.tables.push_back({"other", "orders", R"({"columns": [{"name": "a", "type": "text"}]})"});
  m.tables.push_back({"app", "We\"ird", R"({"columns": [{"name": "a b", "type": "text"}]})"});
  return m;
}

}  // namespace

TEST(CliSql, RendersTheTableFromItsDefinition) {
  ScriptPlan plan = plan_script(manifest(), std::nullopt, {"app.orders"});
  ASSERT_EQ(plan.tables.size(), 1u);
  const ScriptTable& t = plan.tables[0];
  EXPECT_EQ(plan.schemas, (std::vector<std::string>{"app"}));
  EXPECT_EQ(t.qualified, "\"app\".\"orders\"");
  EXPECT_EQ(table_prelude(t),
            "\n-- table app.orders\n"
            "CREATE SEQUENCE \"app\".\"orders_id_seq\" AS integer INCREMENT BY 1;\n"
            "CREATE TABLE \"app\".\"orders\" (\"id\" integer DEFAULT pg_catalog.nextval("
            "'\"app\".\"orders_id_seq\"'::pg_catalog.regclass) NOT NULL, \"Note\" text COLLATE "
            "pg_catalog.\"C\", \"twice\" integer GENERATED ALWAYS AS ((id * 2)) STORED);\n"
            "COPY \"app\".\"orders\" (\"id\", \"Note\") FROM stdin;\n");
  // no foreign key (it would tie the copy to tables outside it); the sequence resumes at 42
  EXPECT_EQ(table_epilogue(t),
            "\\.\n"
            "ALTER SEQUENCE \"app\".\"orders_id_seq\" OWNED BY \"app\".\"orders\".\"id\";\n"
            "ALTER TABLE \"app\".\"orders\" ADD CONSTRAINT \"orders_pkey\" PRIMARY KEY (id);\n"
            "CREATE UNIQUE INDEX \"orders_note\" ON \"app\".\"orders\" USING btree (\"Note\");\n"
            "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('\"app\".\"orders\"', "
            "'id'), 42, true);\n");
  EXPECT_EQ(t.loaded, (std::vector<bool>{true, true, false}));
}

TEST(CliSql, HeaderPinsTheSessionAndCannotBeInjectedThroughComments) {
  archive::Manifest m = manifest();
  ScriptPlan plan = plan_script(m, std::string("Copy Of"), {"We\"ird"});
  std::string header = script_header(m, plan);
  EXPECT_NE(header.find("-- pgdb_tools archive of snapshot nightly?DROP TABLE x;"),
            std::string::npos);
  EXPECT_EQ(header.find("\nDROP"), std::string::npos);
  EXPECT_NE(header.find("SET client_encoding = 'UTF8';\n"), std::string::npos);
  EXPECT_NE(header.find("BEGIN;\n"), std::string::npos);
  EXPECT_NE(header.find("BEGIN;\nSET LOCAL search_path = pg_catalog;\n"), std::string::npos);
  EXPECT_NE(header.find("CREATE SCHEMA IF NOT EXISTS \"Copy Of\";\n"), std::string::npos);
  EXPECT_EQ(plan.tables[0].qualified, "\"Copy Of\".\"We\"\"ird\"");
  EXPECT_NE(
      table_prelude(plan.tables[0]).find("COPY \"Copy Of\".\"We\"\"ird\" (\"a b\") FROM stdin;"),
      std::string::npos);
  EXPECT_EQ(script_footer(), "\nCOMMIT;\n");
}

TEST(CliSql, SelectionAndClashes) {
  EXPECT_EQ(plan_script(manifest(), std::nullopt, {}).tables.size(), 3u);
  // a bare name takes every table of that name
  ScriptPlan both = plan_script(manifest(), std::nullopt, {"orders"});
  EXPECT_EQ(both.tables.size(), 2u);
  EXPECT_EQ(both.schemas, (std::vector<std::string>{"app", "other"}));
  EXPECT_THROW(plan_script(manifest(), std::string("s"), {"orders"}), UsageError);
  EXPECT_THROW(plan_script(manifest(), std::nullopt, {"missing"}), UsageError);
}

TEST(CliSql, UnreadableDefinitionIsAnError) {
  archive::Manifest m;
  m.tables.push_back({"s", "t", "{\"columns\": [}"});
  EXPECT_THROW(plan_script(m, std::nullopt, {}), Error);
  m.tables[0].definition = R"({"columns": []})";
  EXPECT_THROW(plan_script(m, std::nullopt, {}), Error);
}

TEST(CliSql, FailureEndsCopyAndRaises) {
  EXPECT_EQ(script_failure(true, "bad $x$ 'q'"),
            "\n\\.\nDO $pgdb_archive$BEGIN RAISE EXCEPTION '%', 'pgdb-archive: the archive failed "
            "verification, nothing of it is loaded: bad ?x? ''q'''; END$pgdb_archive$;\n");
  EXPECT_EQ(script_failure(false, "x").rfind("DO ", 0), 0u);
}

TEST(CliSql, FieldFilterDropsGeneratedColumnsAcrossPieces) {
  CopyFieldFilter filter({true, false, true});
  EXPECT_FALSE(filter.passes_all());
  std::string out;
  std::string rows = "1\t2\t3\n\\N\tx\\ty\t\n4\t\t5\n";
  for (char c : rows) filter.feed(std::string_view(&c, 1), out);
  EXPECT_EQ(out, "1\t3\n\\N\t\n4\t5\n");
  CopyFieldFilter first_dropped({false, true});
  out.clear();
  first_dropped.feed("a\tb\nc\td\n", out);
  EXPECT_EQ(out, "b\nd\n");
  CopyFieldFilter all({true, true});
  EXPECT_TRUE(all.passes_all());
}

TEST(CliJson, ParsesWhatJsonbWrites) {
  Json j = parse_json(
      R"( {"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00", "a": 2} )");
  ASSERT_EQ(j.type, Json::Type::object);
  EXPECT_EQ(j.find("a")->text, "2");  // the last of a repeated key, as jsonb
  EXPECT_EQ(j.find("s")->text, "q\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(CliJson, RefusesWhatIsNotJson) {
  for (const char* text : {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\ud800\"", "\"\\u0000\"",
                           "\"a\nb\"", "[1] 2", "nul", "\"\\x\""}) {
    EXPECT_THROW(parse_json(text), Error) << text;
  }
  EXPECT_THROW(parse_json(std::string(200, '[') + std::string(200, ']')), Error);
}

TEST(CliListing, UtcTimestamps) {
  EXPECT_EQ(utc_timestamp(0), "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(utc_timestamp(1796189817123456), "2026-12-02 05:36:57.123456+00");
  EXPECT_EQ(utc_timestamp(-1), "1969-12-31 23:59:59.999999+00");
}
