// Decisions about the archive files the server reads and writes, without the file system: which
// paths a caller may name under pgdb_tools.archive_directory, the default file name of a
// snapshot's archive, which directory entries are archives, and how a row becomes COPY text.
// PG-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdb::archive {

inline constexpr std::string_view file_suffix = ".pgdbsnap";
// Prefix of the temporary name an export writes under before it renames the file into place;
// listings pass over such names.
inline constexpr std::string_view temporary_prefix = ".pgdb_tmp_";

// A path as the caller gave it, split into its components, or why it is refused: empty, absolute,
// a `..` or empty-after-`.` component, a NUL byte, a component starting with the temporary
// prefix, or longer than the file system takes (255 bytes a component, 1024 in all).
struct ConfinedPath {
  std::vector<std::string> directories;  // the components before the file's name
  std::string file;
  std::optional<std::string> refusal;  // set when the path is refused
};
ConfinedPath confine_path(std::string_view path);

// The default archive name of a snapshot: <name>.pgdbsnap, with every '/' (and NUL) replaced by
// '_' so the name stays one file in the archive directory.
std::string default_file_name(std::string_view snapshot_name);

// Whether a directory entry is listed by archives(): a regular name ending in .pgdbsnap, not a
// temporary one.
bool is_archive_name(std::string_view entry);

// The process id in a temporary file's name (.pgdb_tmp_<pid>_<name>), nullopt for any other
// name: a temporary file whose process is gone was left by a crash.
std::optional<int> temporary_owner(std::string_view entry);

// Whether a directory entry is an archive a schedule of `prefix` wrote:
// <prefix>_<YYYYMMDD_HHMMSS>.pgdbsnap.
bool is_scheduled_archive_name(std::string_view entry, std::string_view prefix);

// The scheduled archives of one prefix (is_scheduled_archive_name) that pruning to keep_last
// removes: all but the keep_last newest, newest first by the time in their names.
std::vector<std::string> archives_beyond(std::vector<std::string> names, std::size_t keep_last);

// Appends value in COPY text format (the default delimiter tab and null \N): backslash, tab, LF,
// CR, backspace, form feed and vertical tab escaped as COPY TO writes them.
void append_copy_text(std::string& out, const char* value, std::size_t length);
// Appends a NULL (\N).
inline void append_copy_null(std::string& out) { out.append("\\N", 2); }

}  // namespace pgdb::archive
