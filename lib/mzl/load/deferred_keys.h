#pragma once
// Building an InnoDB table's plain secondary indexes after its data instead of row by row while it loads
// (myloader's --innodb-optimize-keys): loading sysbench's 1M-row table with its index `k_1` took 13.5-14.7 s
// here, without it 5.6-7.0 s plus 1.5 s for ALTER TABLE ADD KEY (a sorted, bulk index build).
//
// Only what cannot change the result is deferred: non-unique KEY lines (so no duplicate can be let in that
// the index would have refused) of an ENGINE=InnoDB table that has no FOREIGN KEY (an FK needs its index
// while the table is created), in SHOW CREATE TABLE's layout (one definition per line, identifiers in
// backticks). A table another table's FOREIGN KEY references is the caller's to exclude.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mzl::load {

struct DeferredKeys {
  std::string create_sql;         // the statement without the deferred KEY lines
  std::vector<std::string> keys;  // each "KEY `k_1` (`k`)", as it was written
};

// nullopt when the statement has nothing to defer or is not in the expected layout.
std::optional<DeferredKeys> split_secondary_keys(std::string_view create_table_sql);

// "ALTER TABLE `db`.`t` ADD KEY ..., ADD KEY ..." (one statement: the table is read once for all keys).
std::string add_keys_statement(std::string_view database, std::string_view table,
                               const std::vector<std::string>& keys);

// Whether some CREATE TABLE in `create_statements` has a FOREIGN KEY that REFERENCES `database`.`table`
// (or `table` unqualified, from a table of `database`).
bool is_referenced(std::string_view database, std::string_view table,
                   const std::vector<std::pair<std::string, std::string_view>>& create_statements);

}  // namespace mzl::load
