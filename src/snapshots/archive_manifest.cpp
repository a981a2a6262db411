// The manifest and summary records: sequences of tagged fields (tag u16, length u32, value), so
// that a newer minor version can add fields older readers skip. docs/archive-format.md lists the
// tags.
#include <cstring>

#include "snapshots/archive_records.hpp"
#include "core/error.hpp"
#include "core/pg_free.hpp"

namespace pgdb::archive {

namespace {

constexpr std::size_t field_header_size = 6;

enum ManifestTag : std::uint16_t {
  m_snapshot_name = 1,
  m_taken_at = 2,
  m_note = 3,
  m_created_by = 4,
  m_database = 5,
  m_tag = 6,
  m_server_version = 7,
  m_server_version_num = 8,
  m_extension_version = 9,
  m_encoding = 10,
  m_row_format = 11,
  m_compression = 12,
  m_table = 16,
};
enum TableTag : std::uint16_t { t_schema = 1, t_name = 2, t_definition = 3 };
enum SummaryTag : std::uint16_t { s_table = 1 };
enum TableSummaryTag : std::uint16_t {
  ts_rows = 1,
  ts_chunks = 2,
  ts_raw_bytes = 3,
  ts_stored_bytes = 4,
  ts_first_chunk_offset = 5,
  ts_content_hash = 6,
};

class FieldWriter {
 public:
  void text(std::uint16_t tag, std::string_view value, std::size_t limit, const char* what) {
    if (value.size() > limit)
      throw Error(sqlstate::invalid_parameter_value, std::string(what) +
                                                         " is longer than an archive allows (" +
                                                         std::to_string(limit) + " bytes)");
    if (value.find('\0') != std::string_view::npos)
      throw Error(sqlstate::invalid_parameter_value, std::string(what) + " contains a zero byte");
    raw(tag, value);
  }
  void number(std::uint16_t tag, std::uint64_t value) {
    unsigned char bytes[8];
    put_u64(bytes, value);
    raw(tag, {reinterpret_cast<const char*>(bytes), sizeof bytes});
  }
  void raw(std::uint16_t tag, std::string_view value) {
    unsigned char header[field_header_size];
    put_u16(header, tag);
    put_u32(header + 2, static_cast<std::uint32_t>(value.size()));
    out.append(reinterpret_cast<const char*>(header), sizeof header);
    out.append(value);
  }
  std::string out;
};

struct Field {
  std::uint16_t tag = 0;
  std::string_view value;
  std::uint64_t offset = 0;  // of the value, in the file
};

// Reads one record's fields; refuses fields that run past its end, a non-repeating field given
// twice and unknown critical fields.
class FieldReader {
 public:
  FieldReader(std::string_view data, std::uint64_t offset, std::uint16_t minor, std::string record)
      : data_(data), offset_(offset), minor_(minor), record_(std::move(record)) {}

  bool next(Field& field) {
    if (pos_ == data_.size()) return false;
    if (data_.size() - pos_ < field_header_size)
      damaged(offset_ + pos_, record_ + " ends inside a field header");
    const auto* in = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
    std::uint32_t length = get_u32(in + 2);
    if (length > data_.size() - pos_ - field_header_size)
      damaged(offset_ + pos_, record_ + " has a field that runs past its end");
    field = {get_u16(in), data_.substr(pos_ + field_header_size, length),
             offset_ + pos_ + field_header_size};
    pos_ += field_header_size + length;
    return true;
  }
  void once(const Field& field) {
    if (field.tag >= 64) return;
    std::uint64_t bit = std::uint64_t{1} << field.tag;
    if ((seen_ & bit) != 0)
      damaged(field.offset, record_ + " has field " + std::to_string(field.tag) + " twice");
    seen_ |= bit;
  }
  void unknown(const Field& field) const {
    if ((field.tag & field_critical) != 0)
      unsupported(record_ + " has field " + std::to_string(field.tag) +
                      ", which this reader must understand but does not know",
                  minor_);
  }
  void require(std::uint16_t tag, const char* name) const {
    if ((seen_ & (std::uint64_t{1} << tag)) == 0) damaged(offset_, record_ + " lacks its " + name);
  }
  std::uint16_t minor() const { return minor_; }
  const std::string& record() const { return record_; }

 private:
  std::string_view data_;
  std::uint64_t offset_;
  std::uint16_t minor_;
  std::string record_;
  std::size_t pos_ = 0;
  std::uint64_t seen_ = 0;
};

std::string text(const Field& field, std::size_t limit, const char* what) {
  if (field.value.size() > limit)
    damaged(field.offset,
            std::string(what) + " is longer than " + std::to_string(limit) + " bytes");
  if (field.value.find('\0') != std::string_view::npos)
    damaged(field.offset, std::string(what) + " contains a zero byte");
  return std::string(field.value);
}

std::uint64_t number(const Field& field, const char* what) {
  if (field.value.size() != 8) damaged(field.offset, std::string(what) + " is not 8 bytes long");
  return get_u64(reinterpret_cast<const unsigned char*>(field.value.data()));
}

std::string encode_table(const TableEntry& table) {
  FieldWriter fields;
  fields.text(t_schema, table.schema, limits::name, "a table's schema name");
  fields.text(t_name, table.name, limits::name, "a table name");
  fields.text(t_definition, table.definition, limits::definition, "a table definition");
  return std::move(fields.out);
}

TableEntry decode_table(const Field& outer, std::uint16_t minor) {
  FieldReader fields(outer.value, outer.offset, minor, "a manifest table");
  TableEntry table;
  for (Field field; fields.next(field);) {
    switch (field.tag) {
      case t_schema:
        fields.once(field);
        table.schema = text(field, limits::name, "a table's schema name");
        break;
      case t_name:
        fields.once(field);
        table.name = text(field, limits::name, "a table name");
        break;
      case t_definition:
        fields.once(field);
        table.definition = text(field, limits::definition, "a table definition");
        break;
      default:
        fields.unknown(field);
    }
  }
  fields.require(t_schema, "schema");
  fields.require(t_name, "name");
  fields.require(t_definition, "definition");
  return table;
}

// The enumerations a manifest names: an unknown value is a newer writer's.
template <typename Enum>
Enum known_value(const Field& field, Enum first, Enum last, const char* what, std::uint16_t minor) {
  std::uint64_t value = number(field, what);
  if (value < static_cast<std::uint64_t>(first))
    damaged(field.offset, std::string(what) + " " + std::to_string(value) + " does not exist");
  if (value > static_cast<std::uint64_t>(last))
    unsupported(std::string("archive uses ") + what + " " + std::to_string(value) +
                    ", unknown to this reader",
                minor);
  return static_cast<Enum>(value);
}

// One manifest field into manifest; false for a tag the manifest does not define.
bool decode_manifest_field(const Field& field, FieldReader& fields, Manifest& manifest) {
  auto optional_text = [&](std::optional<std::string>& into, std::size_t limit, const char* what) {
    fields.once(field);
    into = text(field, limit, what);
  };
  switch (field.tag) {
    case m_snapshot_name:
      fields.once(field);
      manifest.snapshot_name = text(field, limits::name, "the snapshot name");
      return true;
    case m_taken_at:
      fields.once(field);
      manifest.taken_at_us = static_cast<std::int64_t>(number(field, "taken_at"));
      return true;
    case m_note:
      optional_text(manifest.note, limits::note, "the note");
      return true;
    case m_created_by:
      optional_text(manifest.created_by, limits::name, "created_by");
      return true;
    case m_database:
      optional_text(manifest.database, limits::name, "the database name");
      return true;
    case m_tag:
      manifest.tags.push_back(text(field, limits::name, "a tag"));
      return true;
    case m_server_version:
      fields.once(field);
      manifest.server_version = text(field, limits::name, "the server version");
      return true;
    case m_server_version_num: {
      fields.once(field);
      std::uint64_t value = number(field, "server_version_num");
      if (value > UINT32_MAX) damaged(field.offset, "server_version_num is out of range");
      manifest.server_version_num = static_cast<std::uint32_t>(value);
      return true;
    }
    case m_extension_version:
      fields.once(field);
      manifest.extension_version = text(field, limits::name, "the extension version");
      return true;
    case m_encoding:
      fields.once(field);
      manifest.encoding = text(field, limits::name, "the encoding");
      return true;
    case m_row_format:
      fields.once(field);
      manifest.row_format = known_value(field, RowFormat::copy_text, RowFormat::copy_text,
                                        "row format", fields.minor());
      return true;
    case m_compression:
      fields.once(field);
      manifest.compression = known_value(field, Compression::none, Compression::lz4,
                                         "compression method", fields.minor());
      return true;
    case m_table:
      manifest.tables.push_back(decode_table(field, fields.minor()));
      return true;
  }
  return false;
}

void check_record_size(const std::string& record, const char* what) {
  if (record.size() > limits::metadata_section)
    throw Error(sqlstate::invalid_parameter_value,
                std::string("the archive's ") + what + " would exceed " +
                    std::to_string(limits::metadata_section >> 20) + " MB",
                {}, "Archive fewer tables at once.");
}

}  // namespace

std::string encode_manifest(const Manifest& manifest) {
  FieldWriter fields;
  fields.text(m_snapshot_name, manifest.snapshot_name, limits::name, "the snapshot name");
  fields.number(m_taken_at, static_cast<std::uint64_t>(manifest.taken_at_us));
  if (manifest.note) fields.text(m_note, *manifest.note, limits::note, "the note");
  if (manifest.created_by)
    fields.text(m_created_by, *manifest.created_by, limits::name, "created_by");
  if (manifest.database)
    fields.text(m_database, *manifest.database, limits::name, "the database name");
  for (const std::string& tag : manifest.tags) fields.text(m_tag, tag, limits::name, "a tag");
  fields.text(m_server_version, manifest.server_version, limits::name, "the server version");
  fields.number(m_server_version_num, manifest.server_version_num);
  fields.text(m_extension_version, manifest.extension_version, limits::name,
              "the extension version");
  fields.text(m_encoding, manifest.encoding, limits::name, "the encoding");
  fields.number(m_row_format, static_cast<std::uint64_t>(manifest.row_format));
  fields.number(m_compression, static_cast<std::uint64_t>(manifest.compression));
  for (const TableEntry& table : manifest.tables) {
    fields.raw(m_table, encode_table(table));
    check_record_size(fields.out, "manifest");
  }
  check_record_size(fields.out, "manifest");
  return std::move(fields.out);
}

Manifest decode_manifest(std::string_view payload, std::uint64_t offset, std::uint16_t minor) {
  FieldReader fields(payload, offset, minor, "the manifest");
  Manifest manifest;
  for (Field field; fields.next(field);)
    if (!decode_manifest_field(field, fields, manifest)) fields.unknown(field);
  fields.require(m_snapshot_name, "snapshot name");
  fields.require(m_taken_at, "taken_at");
  fields.require(m_server_version, "server version");
  fields.require(m_server_version_num, "server_version_num");
  fields.require(m_extension_version, "extension version");
  fields.require(m_encoding, "encoding");
  fields.require(m_row_format, "row format");
  fields.require(m_compression, "compression method");
  return manifest;
}

std::string encode_summary(const Summary& summary) {
  FieldWriter fields;
  for (const TableSummary& table : summary.tables) {
    FieldWriter entry;
    entry.number(ts_rows, table.rows);
    entry.number(ts_chunks, table.chunks);
    entry.number(ts_raw_bytes, table.raw_bytes);
    entry.number(ts_stored_bytes, table.stored_bytes);
    entry.number(ts_first_chunk_offset, table.first_chunk_offset);
    entry.text(ts_content_hash, table.content_hash, limits::content_hash, "a content hash");
    fields.raw(s_table, entry.out);
  }
  check_record_size(fields.out, "summary");
  return std::move(fields.out);
}

namespace {
TableSummary decode_table_summary(const Field& outer, std::uint16_t minor) {
  FieldReader fields(outer.value, outer.offset, minor, "a summary table");
  TableSummary table;
  std::uint64_t TableSummary::*numbers[] = {nullptr,
                                            &TableSummary::rows,
                                            &TableSummary::chunks,
                                            &TableSummary::raw_bytes,
                                            &TableSummary::stored_bytes,
                                            &TableSummary::first_chunk_offset};
  static const char* const names[] = {
      "", "rows", "chunks", "raw_bytes", "stored_bytes", "first_chunk_offset", "content hash"};
  for (Field field; fields.next(field);) {
    if (field.tag >= ts_rows && field.tag <= ts_first_chunk_offset) {
      fields.once(field);
      table.*numbers[field.tag] = number(field, names[field.tag]);
    } else if (field.tag == ts_content_hash) {
      fields.once(field);
      table.content_hash = text(field, limits::content_hash, "a content hash");
    } else {
      fields.unknown(field);
    }
  }
  for (std::uint16_t tag = ts_rows; tag <= ts_content_hash; ++tag) fields.require(tag, names[tag]);
  return table;
}
}  // namespace

Summary decode_summary(std::string_view payload, std::uint64_t offset, std::uint16_t minor) {
  FieldReader fields(payload, offset, minor, "the summary");
  Summary summary;
  for (Field field; fields.next(field);) {
    if (field.tag == s_table)
      summary.tables.push_back(decode_table_summary(field, minor));
    else
      fields.unknown(field);
  }
  return summary;
}

}  // namespace pgdb::archive
