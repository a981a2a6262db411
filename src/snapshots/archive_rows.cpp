#include "snapshots/archive_rows.hpp"

#include "core/pg_free.hpp"

namespace pgdb::archive {

namespace {

int digit_value(char c, int base) {
  int v = c >= '0' && c <= '9'   ? c - '0'
          : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                 : 99;
  return v < base ? v : -1;
}

}  // namespace

std::string decode_copy_field(std::string_view field) {
  std::string out;
  decode_copy_field(field, out);
  return out;
}

void decode_copy_field(std::string_view field, std::string& out) {
  out.clear();
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c != '\\' || i + 1 == field.size()) {
      out.push_back(c);
      continue;
    }
    char e = field[++i];
    int base = e == 'x' ? 16 : digit_value(e, 8) >= 0 ? 8 : 0;
    if (base == 16 && (i + 1 == field.size() || digit_value(field[i + 1], 16) < 0)) base = 0;
    if (base != 0) {
      std::size_t at = base == 16 ? i + 1 : i;
      std::size_t most = base == 16 ? 2 : 3;
      int value = 0;
      std::size_t used = 0;
      while (used < most && at + used < field.size() && digit_value(field[at + used], base) >= 0)
        value = value * base + digit_value(field[at + used++], base);
      out.push_back(static_cast<char>(value & 0xff));
      i = at + used - 1;
      continue;
    }
    switch (e) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      default:
        out.push_back(e);
    }
  }
}

void CopyTextRows::decode(std::string_view line) {
  std::size_t count = 0;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = line.find('\t', start);
    std::string_view field =
        line.substr(start, end == std::string_view::npos ? line.npos : end - start);
    if (count == fields_.size()) fields_.emplace_back();
    if (field == "\\N")
      fields_[count].reset();
    else
      decode_copy_field(field, fields_[count] ? *fields_[count] : fields_[count].emplace());
    ++count;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  fields_.resize(count);
}

}  // namespace pgdb::archive
