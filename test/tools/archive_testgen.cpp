// pgdb-archive-testgen: writes an archive from COPY text dumps, for test/e2e/archive_cli.sh (test
// only: never installed). Until the server writes archives, it is how the end-to-end test gets
// archives of real tables whose definitions _snapshot_definition recorded.
//
//   pgdb-archive-testgen OUT SNAPSHOT [--compression zstd|lz4|none] [--chunk-size BYTES]
//                        --table SCHEMA NAME DEFINITION_JSON_FILE COPY_TEXT_FILE ...
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/archive_files.hpp"
#include "core/error.hpp"
#include "snapshots/archive_writer.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pgdb::archive;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 2) {
    std::cerr << "usage: pgdb-archive-testgen OUT SNAPSHOT [--compression M] [--chunk-size N] "
                 "--table SCHEMA NAME DEFINITION_FILE ROWS_FILE ...\n";
    return 2;
  }
  try {
    Manifest manifest;
    manifest.snapshot_name = args[1];
    manifest.taken_at_us = 1796189817123456;
    manifest.database = "e2e";
    manifest.created_by = "pgdb-archive-testgen";
    manifest.server_version = "test";
    manifest.server_version_num = 150000;
    manifest.extension_version = "test";
    WriterOptions options;
    std::vector<std::string> row_files;
    for (std::size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "--compression" && i + 1 < args.size()) {
        auto method = compression_from_name(args[++i]);
        if (!method) throw std::runtime_error("unknown compression " + args[i]);
        options.compression = *method;
      } else if (args[i] == "--chunk-size" && i + 1 < args.size()) {
        options.chunk_size = std::stoul(args[++i]);
      } else if (args[i] == "--table" && i + 4 < args.size()) {
        manifest.tables.push_back({args[i + 1], args[i + 2], slurp(args[i + 3])});
        row_files.push_back(args[i + 4]);
        i += 4;
      } else {
        throw std::runtime_error("unexpected argument " + args[i]);
      }
    }
    manifest.compression = options.compression;
    pgdb::cli::FileSink sink(args[0]);
    pgdb::cli::OpenSslSha256 sha;
    ArchiveWriter writer(sink, sha, manifest, options);
    for (const std::string& file : row_files) {
      writer.begin_table();
      std::string rows = slurp(file);
      writer.append(rows.data(), rows.size());
      writer.end_table("testgen:" + std::to_string(rows.size()));
    }
    writer.finish();
    sink.commit();
  } catch (const std::exception& e) {
    std::cerr << "pgdb-archive-testgen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
