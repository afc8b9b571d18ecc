#pragma once
// Turns the paths an operator names (files and directories) into the ordered list of binlog files to read.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mzl/util/result.h"

namespace mzl::archive {

// The numeric suffix of a binlog file name ("mariadb-bin.000042" and "mariadb-bin.000042.lz4" give 42), or
// nullopt when the name does not end in ".<digits>" (optionally followed by ".lz4").
std::optional<uint64_t> binlog_sequence_number(const std::string& file_name);

// Files are kept in the order given. A directory stands for the binlog files directly in it (names with a
// numeric suffix, see above, that start with the binlog or LZ4 frame magic), sorted by base name and then by
// number; an .lz4 file and its plain twin are never both listed (the plain one wins, as it is the newer copy
// while compression runs). Errors: kNotFound for a path that does not exist or a directory with no binlog
// file; kIo when a directory cannot be listed.
Result<std::vector<std::filesystem::path>> expand_binlog_paths(const std::vector<std::string>& paths);

// The server's name of an archived file: its file name without ".lz4" ("x.000042.lz4" is "x.000042").
std::string server_file_name(const std::filesystem::path& path);

// The archive's files (the directory `archive_dir`, as above) from `start_file` (a server's file name) on,
// in order, checked to follow each other without a gap in their numbers: kNotFound when there is no
// `start_file` (naming what the archive holds), kCorrupt naming the first missing file.
Result<std::vector<std::filesystem::path>> archive_files_from(const std::string& archive_dir,
                                                              const std::string& start_file);

}  // namespace mzl::archive
