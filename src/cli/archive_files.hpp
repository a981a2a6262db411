// Files, standard input and output behind the archive codec's byte interfaces, and OpenSSL's
// SHA-256 (libcrypto) as the codec's Sha256: the command-line tool's side of the codec.
#pragma once

#include <openssl/evp.h>

#include <stdexcept>
#include <string>

#include "snapshots/archive_format.hpp"

namespace pgdb::cli {

// A file that could not be opened, read or written (exit status 3), with the system's reason.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OpenSslSha256 : public archive::Sha256 {
 public:
  OpenSslSha256();
  ~OpenSslSha256() override;
  OpenSslSha256(const OpenSslSha256&) = delete;
  OpenSslSha256& operator=(const OpenSslSha256&) = delete;
  void update(const void* data, std::size_t size) override;
  std::array<unsigned char, archive::sha256_size> finish() override;

 private:
  EVP_MD_CTX* context_;
};

// An archive file, or standard input for "-" (which cannot seek: list needs a file).
class FileSource : public archive::SeekableSource {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  std::size_t read(void* data, std::size_t size) override;
  std::uint64_t size() override;
  void seek(std::uint64_t offset) override;

 private:
  std::string path_;
  int fd_;
};

// Standard output, or a new file that appears under its name only when commit() is called: until
// then it is written under a temporary name beside it, removed if the sink is destroyed first.
class FileSink : public archive::ByteSink {
 public:
  FileSink();  // standard output
  explicit FileSink(const std::string& path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;
  void write(const void* data, std::size_t size) override;
  void write(std::string_view text) { write(text.data(), text.size()); }
  // Flushes; for a file also fsyncs, closes and renames it to its final name.
  void commit();

 private:
  void flush();

  std::string path_;  // empty for standard output
  std::string temporary_;
  int fd_;
  std::string buffer_;
  bool committed_ = false;
};

}  // namespace pgdb::cli
