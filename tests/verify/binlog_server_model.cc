// The archive tests' model of a MariaDB server's binlog files (ServerBinlog: multi-file sequences with GTIDs
// built from the real events of the mariadb-10.5 fixture), compiled into test_verify as well.
#include "archive/archive_test_support.cc"  // NOLINT(bugprone-suspicious-include)
