#include "cli/archive_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/pg_free.hpp"

namespace pgdb::cli {

namespace {

[[noreturn]] void io_failed(const std::string& what, const std::string& path) {
  throw IoError("could not " + what + " \"" + path + "\": " + std::strerror(errno));
}

constexpr std::size_t sink_buffer = 256u << 10;

}  // namespace

OpenSslSha256::OpenSslSha256() : context_(EVP_MD_CTX_new()) {
  if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1)
    throw IoError("OpenSSL's SHA-256 is not available");
}

OpenSslSha256::~OpenSslSha256() { EVP_MD_CTX_free(context_); }

void OpenSslSha256::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(context_, data, size) != 1) throw IoError("OpenSSL's SHA-256 failed");
}

std::array<unsigned char, archive::sha256_size> OpenSslSha256::finish() {
  std::array<unsigned char, archive::sha256_size> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_, digest.data(), &length) != 1 || length != digest.size())
    throw IoError("OpenSSL's SHA-256 failed");
  return digest;
}

FileSource::FileSource(const std::string& path)
    : path_(path == "-" ? "standard input" : path),
      fd_(path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (fd_ < 0) io_failed("open", path_);
  struct stat info;
  if (::fstat(fd_, &info) == 0 && S_ISDIR(info.st_mode)) {
    if (fd_ != STDIN_FILENO) ::close(fd_);
    throw IoError("\"" + path_ + "\" is a directory");
  }
}

FileSource::~FileSource() {
  if (fd_ != STDIN_FILENO) ::close(fd_);
}

std::size_t FileSource::read(void* data, std::size_t size) {
  while (true) {
    ssize_t n = ::read(fd_, data, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) io_failed("read", path_);
  }
}

std::uint64_t FileSource::size() {
  struct stat info;
  if (::fstat(fd_, &info) != 0) io_failed("stat", path_);
  if (!S_ISREG(info.st_mode))
    throw IoError("\"" + path_ + "\" is not a regular file: list reads an archive from both ends");
  return static_cast<std::uint64_t>(info.st_size);
}

void FileSource::seek(std::uint64_t offset) {
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) io_failed("seek in", path_);
}

FileSink::FileSink() : path_(), fd_(STDOUT_FILENO) {}

FileSink::FileSink(const std::string& path) : path_(path), temporary_(path + ".XXXXXX"), fd_(-1) {
  std::vector<char> name(temporary_.begin(), temporary_.end());
  name.push_back('\0');
  fd_ = ::mkstemp(name.data());  // mode 0600: the script holds the archive's data
  if (fd_ < 0) io_failed("create a file beside", path_);
  temporary_.assign(name.data());
}

FileSink::~FileSink() {
  if (path_.empty()) return;
  if (!committed_) {
    ::close(fd_);
    ::unlink(temporary_.c_str());
  }
}

void FileSink::flush() {
  const char* at = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, at, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_failed("write", path_.empty() ? std::string("standard output") : temporary_);
    }
    at += n;
    left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void FileSink::write(const void* data, std::size_t size) {
  buffer_.append(static_cast<const char*>(data), size);
  if (buffer_.size() >= sink_buffer) flush();
}

void FileSink::commit() {
  flush();
  if (path_.empty()) return;
  if (::fsync(fd_) != 0) io_failed("fsync", temporary_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    io_failed("close", temporary_);
  }
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) io_failed("rename to", path_);
  committed_ = true;
}

}  // namespace pgdb::cli
