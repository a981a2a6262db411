#include "snapshots/files_pg.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/guard.hpp"
#include "pg/quote.hpp"
#include "pg/roles.hpp"
#include "snapshots/archive_path.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "storage/procarray.h"
#include "utils/guc.h"
}

namespace pgdb::archive {

namespace {

char* directory_setting = nullptr;

constexpr std::string_view io_error = "58030";

[[noreturn]] void file_error(const std::string& what, const std::string& path, int error) {
  if (error == ENOENT)
    throw Error(sqlstate::undefined_object, "archive file \"" + path + "\" does not exist", {},
                "Paths are relative to pgdb_tools.archive_directory; archives() lists its files.");
  if (error == ELOOP)
    throw Error(sqlstate::insufficient_privilege,
                "\"" + path +
                    "\" is a symbolic link: archives are read and written only inside "
                    "pgdb_tools.archive_directory",
                {}, "Name the file by its path under the archive directory.");
  throw Error(io_error, "could not " + what + " \"" + path + "\": " + strerror(error));
}

}  // namespace

void init_archive_settings() {
  DefineCustomStringVariable(
      "pgdb_tools.archive_directory",
      "Directory of the archive files of snapshot_export, snapshot_import and archive_verify.",
      "A relative path is taken under the data directory; created with mode 0700 when missing.",
      &directory_setting, "pgdb_snapshots", PGC_SUSET, 0, nullptr, nullptr, nullptr);
}

std::string archive_directory() {
  std::string setting = directory_setting != nullptr ? directory_setting : "";
  if (setting.empty())
    throw Error(sqlstate::object_not_in_prerequisite_state, "pgdb_tools.archive_directory is empty",
                {},
                "A superuser sets it, e.g. ALTER SYSTEM SET pgdb_tools.archive_directory = "
                "'pgdb_snapshots'.");
  std::string path = setting.front() == '/' ? setting : std::string(DataDir) + "/" + setting;
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error(io_error,
                "could not create archive directory \"" + path + "\": " + strerror(errno));
  return path;
}

void require_file_privilege(bool write, const std::string& action) {
  Oid role = write ? ROLE_PG_WRITE_SERVER_FILES : ROLE_PG_READ_SERVER_FILES;
  if (pg::call([] { return superuser(); }) || pg::has_privileges_of(GetUserId(), role)) return;
  const char* name = write ? "pg_write_server_files" : "pg_read_server_files";
  throw Error(sqlstate::insufficient_privilege, "permission denied to " + action,
              std::string("Only superusers and members of ") + name + " may " +
                  (write ? "write" : "read") + " archive files on the server.",
              std::string("A superuser can run GRANT ") + name + " TO " +
                  pg::quote_identifier(pg::role_name(GetUserId())) + ";");
}

ConfinedFile::ConfinedFile(const std::string& path) {
  ConfinedPath confined = confine_path(path);
  if (confined.refusal)
    throw Error(sqlstate::insufficient_privilege,
                "archive path \"" + path + "\" is refused: " + *confined.refusal,
                "Archives are read and written only inside pgdb_tools.archive_directory.",
                "Give a path relative to the archive directory, without \"..\".");
  full_path_ = archive_directory();
  directory_fd_ = open(full_path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd_ < 0) file_error("open archive directory", full_path_, errno);
  for (const std::string& part : confined.directories) {
    full_path_ += "/" + part;
    int next = openat(directory_fd_, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int error = errno;
    if (next < 0) {
      struct stat st;
      if (fstatat(directory_fd_, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(st.st_mode))
        error = ELOOP;
      file_error("open directory", full_path_, error);
    }
    close(directory_fd_);
    directory_fd_ = next;
  }
  name_ = confined.file;
  full_path_ += "/" + name_;
}

ConfinedFile::~ConfinedFile() {
  if (directory_fd_ >= 0) close(directory_fd_);
}

FileSource::FileSource(const ConfinedFile& file) : path_(file.full_path()) {
  fd_ = openat(file.directory_fd(), file.name().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd_ < 0) file_error("open", path_, errno);
  struct stat st;
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd_);
    throw Error(sqlstate::invalid_parameter_value, "\"" + path_ + "\" is not a regular file");
  }
}

FileSource::~FileSource() { close(fd_); }

std::size_t FileSource::read(void* data, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(fd_, data, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) file_error("read", path_, errno);
  }
}

std::uint64_t FileSource::size() {
  struct stat st;
  if (fstat(fd_, &st) != 0) file_error("stat", path_, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

void FileSource::seek(std::uint64_t offset) {
  if (lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) file_error("seek in", path_, errno);
}

namespace {

// Removes the temporary files of the directory whose process is no longer a backend of this
// server: what an export cut short by a crash left (a backend that fails removes its own).
void sweep_stale_temporaries(int directory_fd) {
  int fd = dup(directory_fd);
  DIR* dir = fd >= 0 ? fdopendir(fd) : nullptr;
  if (dir == nullptr) {
    if (fd >= 0) close(fd);
    return;
  }
  std::vector<std::string> stale;
  while (struct dirent* entry = readdir(dir)) {
    std::optional<int> pid = temporary_owner(entry->d_name);
    if (pid && *pid != MyProcPid && pg::call([&pid] { return BackendPidGetProc(*pid) == nullptr; }))
      stale.emplace_back(entry->d_name);
  }
  closedir(dir);
  for (const std::string& name : stale) unlinkat(directory_fd, name.c_str(), 0);
}

}  // namespace

AtomicFile::AtomicFile(const ConfinedFile& file) : file_(file) {
  struct stat st;
  if (fstatat(file.directory_fd(), file.name().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISREG(st.st_mode))
    file_error("replace", file.full_path(), S_ISLNK(st.st_mode) ? ELOOP : EISDIR);
  sweep_stale_temporaries(file.directory_fd());
  temporary_ =
      std::string(temporary_prefix) + std::to_string(MyProcPid) + "_" + file.name().substr(0, 200);
  fd_ = openat(file.directory_fd(), temporary_.c_str(),
               O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) file_error("create", file.full_path(), errno);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlinkat(file_.directory_fd(), temporary_.c_str(), 0);
}

void AtomicFile::write(const void* data, std::size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, bytes, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      file_error("write", file_.full_path(), errno);
    }
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::commit() {
  if (fsync(fd_) != 0) file_error("fsync", file_.full_path(), errno);
  int closed = close(fd_);
  fd_ = -1;
  if (closed != 0) file_error("close", file_.full_path(), errno);
  if (renameat(file_.directory_fd(), temporary_.c_str(), file_.directory_fd(),
               file_.name().c_str()) != 0)
    file_error("rename into", file_.full_path(), errno);
  committed_ = true;
  if (fsync(file_.directory_fd()) != 0)
    file_error("fsync the directory of", file_.full_path(), errno);
}

PgSha256::PgSha256() : pending_at_start_(pg::pending_pg_errors()) {
  context_ = pg::call([] { return pg_cryptohash_create(PG_SHA256); });
  if (context_ == nullptr || pg_cryptohash_init(context_) < 0)
    throw Error(sqlstate::out_of_memory, "could not initialize SHA-256");
}

PgSha256::~PgSha256() {
  // After a PostgreSQL error the rollback's resource owner frees it.
  if (context_ != nullptr && pg::pending_pg_errors() == pending_at_start_)
    pg_cryptohash_free(context_);
}

void PgSha256::update(const void* data, std::size_t size) {
  if (pg_cryptohash_update(context_, static_cast<const uint8*>(data), size) < 0)
    throw Error(sqlstate::internal_error, "could not compute SHA-256");
}

std::array<unsigned char, sha256_size> PgSha256::finish() {
  std::array<unsigned char, sha256_size> digest{};
  if (pg_cryptohash_final(context_, digest.data(), digest.size()) < 0)
    throw Error(sqlstate::internal_error, "could not compute SHA-256");
  return digest;
}

}  // namespace pgdb::archive
