#pragma once
// What the mzl-binlog-tail integration tests share: the program, scratch directories, writes to the sandbox
// primary, and the server's files as the expectation an archive or an --output stream is checked against.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace mzl::test {

std::string tail_binary();

// An empty directory /tmp/mzl-tail-<name> that every user may enter (a test may run the program as nobody).
std::filesystem::path fresh_tail_dir(const std::string& name);

// The primary's current binlog file (SHOW MASTER STATUS).
std::string current_binlog_file();

// `transactions` INSERTs of one row of `row_bytes` bytes each into mzl_tail_tests.<table> on the primary.
void write_rows(const std::string& table, int transactions, int row_bytes = 200);

// An option file [client] for 127.0.0.1:`port` (0: the sandbox primary's port), mode 0600.
std::filesystem::path write_client_cnf(const std::filesystem::path& path, const std::string& user,
                                       const std::string& password, unsigned port = 0);

// The raw binlog stream of the primary's files from `first` on: the magic once, then every file's events;
// the still-open last file's FORMAT_DESCRIPTION with LOG_EVENT_BINLOG_IN_USE_F clear, as once closed.
std::string server_stream_from(const std::string& first);

// The primary's files from `first` on are in `archive_dir`, byte for byte (the still-open last file but for
// LOG_EVENT_BINLOG_IN_USE_F, which the archive keeps clear).
void check_archive_identical_from(const std::filesystem::path& archive_dir, const std::string& first);

// The samples of a Prometheus textfile written by --metrics-file for `source`: metric name -> value, a
// summary's quantile samples as `name{0.5}`. REQUIREs every line to be a comment (# HELP, # TYPE) or a sample
// labelled with that source (and a quantile), each once.
std::map<std::string, double> read_tail_metrics(const std::filesystem::path& path, const std::string& source);

// SHOW GLOBAL STATUS LIKE `name` of the server `defaults_file` connects to, as a number.
uint64_t global_status_number(const std::filesystem::path& defaults_file, const std::string& name);

// The change stream's JSON lines as --read writes them: each rows line's transaction fields ("gtid", "xid",
// "commit", CHANGE STREAM in mzl-binlog-tail(1)) are checked to be there and taken off. `commits` (optional)
// counts the lines with "commit":true.
std::string without_transaction_fields(const std::string& lines, size_t* commits = nullptr);

std::vector<std::string> with(std::vector<std::string> args, std::initializer_list<std::string> more);

}  // namespace mzl::test
