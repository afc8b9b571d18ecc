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

}  // namespace mzl::archive
