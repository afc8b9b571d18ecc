// The per-column dump/load plans (which types are transformed is decided by
// tests/integration/snapshot_catalog_test.cc on the server).
#include <catch2/catch.hpp>

#include "mzl/snapshot/table_info.h"

using namespace mzl::snapshot;

namespace {

ColumnInfo column(const char* name, const char* data_type) {
  ColumnInfo c;
  c.name = name;
  c.data_type = data_type;
  return c;
}

}  // namespace

TEST_CASE("table_info: column plans", "[snapshot]") {
  TableInfo t;
  t.columns = {column("id", "int"),   column("f`", "float"), column("ip", "inet6"), column("u", "uuid"),
               column("v4", "inet4"), column("b", "bit"),    column("g", "point"),  column("d", "double")};
  for (size_t i = 0; i < t.columns.size(); ++i) plan_column_transfer(t.columns[i], i + 1);
  finish_table_plan(t);
  CHECK(t.select_list ==
        "`id`,CAST(`f``` AS DOUBLE),CAST(`ip` AS BINARY(16)),CAST(`u` AS BINARY(16)),CAST(`v4` AS BINARY(4)),"
        "`b`,`g`,`d`");
  CHECK(t.load_columns == "`id`,`f```,`ip`,`u`,`v4`,`b`,`g`,`d`");
  CHECK(t.load_set.empty());

  TableInfo with_set;
  with_set.columns = {column("a", "int"), column("b", "int"), column("c", "int")};
  for (size_t i = 0; i < with_set.columns.size(); ++i) plan_column_transfer(with_set.columns[i], i + 1);
  with_set.columns[1].load_target = "@mzl_2";
  with_set.columns[1].set_clause = "`b`=@mzl_2+0";
  with_set.columns[2].load_target = "@mzl_3";
  with_set.columns[2].set_clause = "`c`=@mzl_3+0";
  finish_table_plan(with_set);
  CHECK(with_set.load_columns == "`a`,@mzl_2,@mzl_3");
  CHECK(with_set.load_set == "`b`=@mzl_2+0,`c`=@mzl_3+0");
}
