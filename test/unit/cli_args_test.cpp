// pgdb-archive's command line (src/cli/cli_args.cpp).
#include <gtest/gtest.h>

#include "cli/cli_args.hpp"

using pgdb::cli::Command;
using pgdb::cli::parse_args;
using pgdb::cli::Subcommand;
using pgdb::cli::UsageError;

TEST(CliArgs, ListAndVerifyTakeFiles) {
  Command list = parse_args({"list", "a.pgdbsnap", "b.pgdbsnap"});
  EXPECT_EQ(list.subcommand, Subcommand::list);
  EXPECT_EQ(list.files, (std::vector<std::string>{"a.pgdbsnap", "b.pgdbsnap"}));
  Command verify = parse_args({"verify", "-"});
  EXPECT_EQ(verify.subcommand, Subcommand::verify);
  EXPECT_EQ(verify.files, (std::vector<std::string>{"-"}));
}

TEST(CliArgs, SqlOptionsInEveryForm) {
  Command c = parse_args({"sql", "-o", "out.sql", "x.pgdbsnap", "--schema", "Copy Of", "--tables",
                          "a,app.b", "--tables=c"});
  EXPECT_EQ(c.subcommand, Subcommand::sql);
  EXPECT_EQ(c.files, (std::vector<std::string>{"x.pgdbsnap"}));
  EXPECT_EQ(c.output, "out.sql");
  EXPECT_EQ(c.schema, "Copy Of");
  EXPECT_EQ(c.tables, (std::vector<std::string>{"a", "app.b", "c"}));
  Command attached = parse_args({"sql", "x", "-oout.sql", "--schema=s"});
  EXPECT_EQ(attached.output, "out.sql");
  EXPECT_EQ(attached.schema, "s");
  EXPECT_EQ(parse_args({"sql", "x", "--output=other"}).output, "other");
}

TEST(CliArgs, DoubleDashEndsOptions) {
  Command c = parse_args({"verify", "--", "-o", "--schema"});
  EXPECT_EQ(c.files, (std::vector<std::string>{"-o", "--schema"}));
}

TEST(CliArgs, HelpAndVersion) {
  EXPECT_EQ(parse_args({"--help"}).subcommand, Subcommand::help);
  EXPECT_EQ(parse_args({"-h"}).subcommand, Subcommand::help);
  EXPECT_EQ(parse_args({"list", "--help"}).subcommand, Subcommand::help);
  EXPECT_EQ(parse_args({"--version"}).subcommand, Subcommand::version);
  EXPECT_NE(pgdb::cli::usage_text().find("Exit status"), std::string::npos);
}

TEST(CliArgs, Refusals) {
  auto refuses = [](std::vector<std::string> args, const std::string& says) {
    try {
      parse_args(args);
      ADD_FAILURE() << "accepted: " << (args.empty() ? "" : args[0]);
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  refuses({}, "no subcommand");
  refuses({"restore", "x"}, "unknown subcommand \"restore\"");
  refuses({"list"}, "needs an archive file");
  refuses({"verify", "--schema", "s", "x"}, "unknown option \"--schema\" for verify");
  refuses({"list", "-o", "out", "x"}, "unknown option \"-o\"");
  refuses({"sql", "a", "b"}, "one archive at a time");
  refuses({"sql", "x", "-o"}, "-o needs a value");
  refuses({"sql", "x", "-o", "a", "-o", "b"}, "-o given twice");
  refuses({"sql", "x", "--schema="}, "--schema needs a schema name");
  refuses({"sql", "x", "--schema", "a", "--schema", "b"}, "--schema given twice");
  refuses({"sql", "x", "--tables", "a,,b"}, "an empty table name");
  refuses({"sql", "x", "--tables="}, "an empty table name");
  refuses({"sql", "x", "--bogus"}, "unknown option \"--bogus\"");
}
