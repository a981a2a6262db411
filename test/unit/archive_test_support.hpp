// Shared by the archive unit tests, the fuzzer and the micro-benchmark: an in-memory sink and
// source, OpenSSL's SHA-256 behind the codec's interface, and archives written from plain rows.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "snapshots/archive_reader.hpp"
#include "snapshots/archive_writer.hpp"

namespace pgdb::archive::testing {

class OpenSslSha256 : public Sha256 {
 public:
  OpenSslSha256() : context_(EVP_MD_CTX_new()) {
    if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("OpenSSL SHA-256 unavailable");
  }
  ~OpenSslSha256() override { EVP_MD_CTX_free(context_); }
  void update(const void* data, std::size_t size) override {
    EVP_DigestUpdate(context_, data, size);
  }
  std::array<unsigned char, sha256_size> finish() override {
    std::array<unsigned char, sha256_size> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, digest.data(), &length);
    return digest;
  }

 private:
  EVP_MD_CTX* context_;
};

class StringSink : public ByteSink {
 public:
  void write(const void* data, std::size_t size) override {
    bytes.append(static_cast<const char*>(data), size);
  }
  std::string bytes;
};

// Reads from memory, at most max_read bytes per call (short reads, as pipes give).
class StringSource : public SeekableSource {
 public:
  explicit StringSource(std::string_view bytes, std::size_t max_read = SIZE_MAX)
      : bytes_(bytes), max_read_(max_read) {}
  std::size_t read(void* data, std::size_t size) override {
    std::size_t n = std::min({size, max_read_, bytes_.size() - position_});
    if (n > 0) std::memcpy(data, bytes_.data() + position_, n);
    position_ += n;
    return n;
  }
  std::uint64_t size() override { return bytes_.size(); }
  void seek(std::uint64_t offset) override {
    position_ = std::min<std::uint64_t>(offset, bytes_.size());
  }

 private:
  std::string_view bytes_;
  std::size_t max_read_;
  std::size_t position_ = 0;
};

inline Manifest sample_manifest(std::size_t tables) {
  Manifest manifest;
  manifest.snapshot_name = "nightly";
  manifest.taken_at_us = 1796189817123456;
  manifest.note = "before the migration";
  manifest.created_by = "alice";
  manifest.database = "shop";
  manifest.tags = {"keep", "release"};
  manifest.server_version = "15.10 (Debian 15.10-0+deb12u1)";
  manifest.server_version_num = 150010;
  manifest.extension_version = "0.3.0";
  for (std::size_t i = 0; i < tables; ++i)
    manifest.tables.push_back(
        {"app", "t" + std::to_string(i), R"({"columns": [{"name": "id", "type": "integer"}]})"});
  return manifest;
}

// An archive of the manifest's tables with these rows (COPY text), content hash "h<i>".
inline std::string write_archive(const Manifest& manifest, const std::vector<std::string>& rows,
                                 WriterOptions options = {}) {
  StringSink sink;
  OpenSslSha256 sha;
  ArchiveWriter writer(sink, sha, manifest, options);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    writer.begin_table();
    writer.append(rows[i].data(), rows[i].size());
    writer.end_table("h" + std::to_string(i));
  }
  writer.finish();
  return std::move(sink.bytes);
}

struct ReadBack {
  Manifest manifest;
  std::vector<std::string> rows;
  Summary summary;
};

inline ReadBack read_archive(std::string_view bytes, ReaderOptions options = {},
                             std::size_t max_read = SIZE_MAX) {
  StringSource source(bytes, max_read);
  OpenSslSha256 sha;
  ArchiveReader reader(source, sha, options);
  ReadBack back;
  back.manifest = reader.manifest();
  while (reader.next_table()) {
    std::string rows;
    for (std::string_view piece; !(piece = reader.next_data()).empty();) rows.append(piece);
    back.rows.push_back(std::move(rows));
  }
  back.summary = reader.finish();
  return back;
}

}  // namespace pgdb::archive::testing
