#pragma once
// A server named on the command line when a program talks to more than one (mzl-verify tables --source
// DSN --target DSN), in pt-table-checksum's style: comma-separated key=value pairs
//   h=host  P=port  u=user  S=socket  F=option file (its [client] and [client-mariadb] groups)
// or simply host[:port]. There is no password key: a password on the command line is visible to every
// user of the machine; it comes from F=, MYSQL_PWD or the program's own option files.
#include <string_view>

#include "mzl/net/connection_options.h"
#include "mzl/util/result.h"

namespace mzl::net {

// `base` (the program's connection settings) with what `dsn` names applied over it; F= is read first, so
// h/P/u/S given beside it win. kInvalidArgument naming the DSN for an unknown key, a p= key, an empty or
// malformed pair, a bad port; kIo / kInvalidArgument from reading the F= file.
Result<ConnectionOptions> apply_dsn(ConnectionOptions base, std::string_view dsn);

}  // namespace mzl::net
