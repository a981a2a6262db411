// The archive files of the server: the setting pgdb_tools.archive_directory, the privileges that
// reading and writing them take, paths confined under that directory (see archive_path.hpp), the
// file the codec reads, the file an export writes atomically, and PostgreSQL's SHA-256.
#pragma once

#include <cstdint>
#include <string>

#include "pg/postgres.hpp"
#include "snapshots/archive_format.hpp"

extern "C" {
#include "common/cryptohash.h"
}

namespace pgdb::archive {

// Registers pgdb_tools.archive_directory (_PG_init).
void init_archive_settings();

// The archive directory as an absolute path (a relative setting is taken under the data
// directory), created with mode 0700 when missing.
std::string archive_directory();

// 42501 unless the current user is a superuser or has the privileges of pg_write_server_files
// (write) or pg_read_server_files (read).
void require_file_privilege(bool write, const std::string& action);

// A file the caller named, relative to the archive directory: its directory opened component by
// component without following symbolic links (42501 for a path that leaves the directory or
// passes through a symbolic link, before anything is opened).
class ConfinedFile {
 public:
  explicit ConfinedFile(const std::string& path);
  ~ConfinedFile();
  ConfinedFile(const ConfinedFile&) = delete;
  ConfinedFile& operator=(const ConfinedFile&) = delete;
  int directory_fd() const noexcept { return directory_fd_; }
  const std::string& name() const noexcept { return name_; }
  const std::string& full_path() const noexcept { return full_path_; }

 private:
  int directory_fd_ = -1;
  std::string name_;
  std::string full_path_;
};

// An archive opened for reading (42704 when it does not exist, 42501 for a symbolic link).
class FileSource : public SeekableSource {
 public:
  explicit FileSource(const ConfinedFile& file);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  std::size_t read(void* data, std::size_t size) override;
  std::uint64_t size() override;
  void seek(std::uint64_t offset) override;

 private:
  int fd_;
  std::string path_;
};

// A new archive: written under a temporary name in the target's directory (mode 0600), and by
// commit() fsynced, renamed over the final name and the directory fsynced. Destroyed without
// commit, the temporary file is removed; after a crash it stays under its temporary name
// (.pgdb_tmp_*), never under the final one.
class AtomicFile : public ByteSink {
 public:
  explicit AtomicFile(const ConfinedFile& file);
  ~AtomicFile() override;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  void write(const void* data, std::size_t size) override;
  void commit();

 private:
  const ConfinedFile& file_;
  std::string temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

// SHA-256 through PostgreSQL's cryptohash.
class PgSha256 : public Sha256 {
 public:
  PgSha256();
  ~PgSha256() override;
  PgSha256(const PgSha256&) = delete;
  PgSha256& operator=(const PgSha256&) = delete;
  void update(const void* data, std::size_t size) override;
  std::array<unsigned char, sha256_size> finish() override;

 private:
  pg_cryptohash_ctx* context_;
  int pending_at_start_;
};

}  // namespace pgdb::archive
