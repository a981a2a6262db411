#include "snapshots/archive_path.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "core/pg_free.hpp"

namespace pgdb::archive {

namespace {
constexpr std::size_t component_max = 255;
constexpr std::size_t path_max = 1024;
}  // namespace

ConfinedPath confine_path(std::string_view path) {
  ConfinedPath result;
  auto refuse = [&](std::string why) {
    result.directories.clear();
    result.file.clear();
    result.refusal = std::move(why);
    return result;
  };
  if (path.empty()) return refuse("the path is empty");
  if (path.size() > path_max) return refuse("the path is longer than 1024 bytes");
  if (path.find('\0') != std::string_view::npos) return refuse("the path contains a NUL byte");
  if (path.front() == '/') return refuse("the path is absolute");
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") return refuse("the path has a \"..\" component");
    if (part.size() > component_max) return refuse("a path component is longer than 255 bytes");
    if (part.substr(0, temporary_prefix.size()) == temporary_prefix)
      return refuse("names starting with \"" + std::string(temporary_prefix) +
                    "\" are the temporary files of exports");
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  if (path.back() == '/' || parts.empty()) return refuse("the path names a directory, not a file");
  result.file = parts.back();
  parts.pop_back();
  result.directories = std::move(parts);
  return result;
}

std::string default_file_name(std::string_view snapshot_name) {
  std::string name(snapshot_name);
  for (char& c : name)
    if (c == '/' || c == '\0') c = '_';
  if (name == "." || name == "..") name = "_" + name;
  if (name.substr(0, temporary_prefix.size()) == temporary_prefix) name.insert(0, "_");
  return name + std::string(file_suffix);
}

bool is_archive_name(std::string_view entry) {
  if (entry.size() <= file_suffix.size()) return false;
  if (entry.substr(0, temporary_prefix.size()) == temporary_prefix) return false;
  return entry.substr(entry.size() - file_suffix.size()) == file_suffix;
}

std::optional<int> temporary_owner(std::string_view entry) {
  if (entry.substr(0, temporary_prefix.size()) != temporary_prefix) return std::nullopt;
  entry.remove_prefix(temporary_prefix.size());
  long pid = 0;
  std::size_t digits = 0;
  while (digits < entry.size() && digits < 10 && entry[digits] >= '0' && entry[digits] <= '9')
    pid = pid * 10 + (entry[digits++] - '0');
  if (digits == 0 || digits == entry.size() || entry[digits] != '_' || pid <= 0 || pid > 0x7fffffff)
    return std::nullopt;
  return static_cast<int>(pid);
}

bool is_scheduled_archive_name(std::string_view entry, std::string_view prefix) {
  constexpr std::string_view stamp = "_YYYYMMDD_HHMMSS";
  if (prefix.empty() || entry.size() != prefix.size() + stamp.size() + file_suffix.size())
    return false;
  if (entry.substr(0, prefix.size()) != prefix ||
      entry.substr(entry.size() - file_suffix.size()) != file_suffix)
    return false;
  std::string_view time = entry.substr(prefix.size(), stamp.size());
  for (std::size_t i = 0; i < stamp.size(); ++i) {
    bool separator = stamp[i] == '_';
    if (separator ? time[i] != '_' : (time[i] < '0' || time[i] > '9')) return false;
  }
  return true;
}

std::vector<std::string> archives_beyond(std::vector<std::string> names, std::size_t keep_last) {
  // One prefix, one length: the names sort as their times do.
  std::sort(names.begin(), names.end(), std::greater<>());
  if (names.size() <= keep_last) return {};
  return std::vector<std::string>(names.begin() + static_cast<std::ptrdiff_t>(keep_last),
                                  names.end());
}

namespace {

// The letter COPY text writes after a backslash for each byte that needs one (0: written as is).
constexpr std::array<char, 256> copy_escapes = [] {
  std::array<char, 256> table{};
  table['\\'] = '\\';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\v'] = 'v';
  return table;
}();

}  // namespace

void append_copy_text(std::string& out, const char* value, std::size_t length) {
  // Room for the value and a quarter more (its escapes, the rest of its row) in one allocation:
  // otherwise the row's next byte doubles a buffer the size of a long value, copying it, while
  // the value is held too. Capacity never written is not memory the process holds.
  if (out.capacity() - out.size() < length + 2) out.reserve(out.size() + length + length / 4 + 64);
  const auto* bytes = reinterpret_cast<const unsigned char*>(value);
  std::size_t run = 0;  // start of the bytes not yet appended
  for (std::size_t i = 0; i < length; ++i) {
    char escape = copy_escapes[bytes[i]];
    if (escape == 0) continue;
    out.append(value + run, i - run);
    out.push_back('\\');
    out.push_back(escape);
    run = i + 1;
  }
  out.append(value + run, length - run);
}

}  // namespace pgdb::archive
