// Rows of an archive's COPY text back into fields, as COPY FROM reads them (the default text
// format: fields separated by tab, rows ended by LF, NULL written \N, backslash escapes), for the
// readers that check rows without loading them (archive_verify). PG-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdb::archive {

// Feed it a table's COPY text in pieces of any size (a row may span pieces); each complete row is
// handed to the callback as its fields (nullopt for NULL), decoded. Memory: one row at a time.
class CopyTextRows {
 public:
  using Fields = std::vector<std::optional<std::string>>;

  template <typename OnRow>
  void feed(std::string_view data, OnRow&& on_row) {
    while (!data.empty()) {
      std::size_t end = data.find('\n');
      if (end == std::string_view::npos) {
        partial_.append(data);
        return;
      }
      if (partial_.empty()) {
        decode(data.substr(0, end));
      } else {
        partial_.append(data.substr(0, end));
        decode(partial_);
        partial_.clear();
      }
      on_row(static_cast<const Fields&>(fields_));
      data.remove_prefix(end + 1);
    }
  }
  // Whether a row was begun and not ended (the table's text must end with a whole row).
  bool pending() const noexcept { return !partial_.empty(); }

 private:
  void decode(std::string_view line);

  std::string partial_;
  Fields fields_;
};

// One field of COPY text decoded: \b \f \n \r \t \v \\, \<1-3 octal digits>, \x<1-2 hex digits>,
// and a backslash before any other character that character.
std::string decode_copy_field(std::string_view field);
// The same into out (its buffer reused).
void decode_copy_field(std::string_view field, std::string& out);

}  // namespace pgdb::archive
