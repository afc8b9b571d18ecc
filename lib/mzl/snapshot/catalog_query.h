#pragma once
// What reading the catalog (catalog.h: tables, columns, keys; schema_objects.h: SHOW CREATE statements)
// shares: the session settings it is read under and the accessors of its result rows.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/util/result.h"

namespace mzl::snapshot::catalog_query {

// The catalog is read with utf8mb4 results and an empty sql_mode (so SHOW CREATE quotes with backticks and
// prints every table option); the caller's session settings are put back afterwards (by restore(), or by
// the destructor when an error left early).
class CatalogSession {
 public:
  explicit CatalogSession(net::ServerConnection& server) : server_(server) {}
  ~CatalogSession() { (void)restore(); }
  CatalogSession(const CatalogSession&) = delete;
  CatalogSession& operator=(const CatalogSession&) = delete;

  // Saves the session's character sets and sql_mode, then sets the catalog's. kServer from the server.
  Status enter();
  // Puts the saved settings back; does nothing when there is nothing saved (again, or enter() failed).
  Status restore();

 private:
  net::ServerConnection& server_;
  std::string saved_;
};

// A table by database and name, ordered, as a map key.
struct TableKey {
  std::string database, name;
  auto operator<=>(const TableKey&) const = default;
};

// "'a','b'" for an IN list.
std::string string_list(const std::vector<std::string>& values);

// Column i of a result row; "" when it is NULL or the row is shorter.
const std::string& text(const net::SqlRow& row, size_t i);

// Column i as an unsigned decimal number, 0 when it is NULL (information_schema leaves TABLE_ROWS and
// DATA_LENGTH NULL for views and some engines); kCorrupt naming `what` when it is anything but digits.
Result<uint64_t> number(const net::SqlRow& row, size_t i, std::string_view what);

}  // namespace mzl::snapshot::catalog_query
