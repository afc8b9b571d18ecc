#pragma once
// A table with a column of every type MariaDB can write, and rows of edge values for it, shared by the tests
// that compare what mzl decodes from the binlog (all_column_types_test.cc: row images; json_rows_test.cc:
// `mzl-binlog-tail --read --output json`) with what the server returns for the same rows.
#include <vector>

namespace mzl::test {

struct Column {
  const char* name;
  const char* ddl;
  const char* select;  // "{}" is the column name
};

// Column order = table order. FLOAT and DOUBLE have no select: each test compares them as numbers.
inline const std::vector<Column> kColumns = {
    {"c_tiny", "TINYINT", "CAST({} AS CHAR)"},
    {"c_utiny", "TINYINT UNSIGNED", "CAST({} AS CHAR)"},
    {"c_short", "SMALLINT", "CAST({} AS CHAR)"},
    {"c_ushort", "SMALLINT UNSIGNED", "CAST({} AS CHAR)"},
    {"c_int24", "MEDIUMINT", "CAST({} AS CHAR)"},
    {"c_uint24", "MEDIUMINT UNSIGNED", "CAST({} AS CHAR)"},
    {"c_long", "INT", "CAST({} AS CHAR)"},
    {"c_ulong", "INT UNSIGNED", "CAST({} AS CHAR)"},
    {"c_longlong", "BIGINT", "CAST({} AS CHAR)"},
    {"c_ulonglong", "BIGINT UNSIGNED", "CAST({} AS CHAR)"},
    {"c_dec_small", "DECIMAL(5,2)", "CAST({} AS CHAR)"},
    {"c_dec_int", "DECIMAL(18,0)", "CAST({} AS CHAR)"},
    {"c_dec_frac", "DECIMAL(9,9)", "CAST({} AS CHAR)"},
    {"c_dec_max", "DECIMAL(65,30)", "CAST({} AS CHAR)"},
    {"c_float", "FLOAT", nullptr},
    {"c_double", "DOUBLE", nullptr},
    {"c_bit1", "BIT(1)", "CAST({}+0 AS CHAR)"},
    {"c_bit13", "BIT(13)", "CAST({}+0 AS CHAR)"},
    {"c_bit64", "BIT(64)", "CAST({}+0 AS CHAR)"},
    {"c_enum", "ENUM('red','green','blue')", "CAST({} AS CHAR)"},
    {"c_set", "SET('a','b','c','d','e','f','g','h','i')", "CAST({} AS CHAR)"},
    {"c_char", "CHAR(10) CHARACTER SET latin1", "HEX({})"},
    {"c_char_wide", "CHAR(100) CHARACTER SET utf8mb4", "HEX({})"},
    {"c_varchar", "VARCHAR(20) CHARACTER SET utf8mb4", "HEX({})"},
    {"c_varchar_long", "VARCHAR(300) CHARACTER SET latin1", "HEX({})"},
    {"c_binary", "BINARY(6)", "HEX(TRIM(TRAILING 0x00 FROM {}))"},
    {"c_varbinary", "VARBINARY(20)", "HEX({})"},
    {"c_tinytext", "TINYTEXT", "HEX({})"},
    {"c_text", "TEXT", "HEX({})"},
    {"c_mediumblob", "MEDIUMBLOB", "HEX({})"},
    {"c_longtext", "LONGTEXT", "HEX({})"},
    {"c_json", "JSON", "HEX({})"},
    {"c_date", "DATE", "CAST({} AS CHAR)"},
    {"c_time", "TIME", "CAST({} AS CHAR)"},
    {"c_time3", "TIME(3)", "CAST({} AS CHAR)"},
    {"c_time6", "TIME(6)", "CAST({} AS CHAR)"},
    {"c_datetime", "DATETIME", "CAST({} AS CHAR)"},
    {"c_datetime1", "DATETIME(1)", "CAST({} AS CHAR)"},
    {"c_datetime6", "DATETIME(6)", "CAST({} AS CHAR)"},
    {"c_timestamp", "TIMESTAMP NULL", "CAST(UNIX_TIMESTAMP({}) AS CHAR)"},
    {"c_timestamp2", "TIMESTAMP(2) NULL", "CAST(UNIX_TIMESTAMP({}) AS CHAR)"},
    {"c_year", "YEAR", "CAST({} AS CHAR)"},
    {"c_geometry", "GEOMETRY", "CONCAT(ST_SRID({0}), ':', HEX(ST_AsBinary({0})))"},
};

inline const char* const kRow1 =
    "(-128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, "
    "18446744073709551615, -123.45, 123456789012345678, 0.123456789, "
    "-12345678901234567890123456789012345.123456789012345678901234567890, 1.5, -0.25, "
    "b'1', b'1010101010101', b'1000000000000000000000000000000000000000000000000000000000000001', 'green', "
    "'a,c,i', 'abc', 'h\xC3\xA9llo w\xC3\xB6rld', '\xE2\x82\xAC uro', REPEAT('x', 300), 0x610062, "
    "0x00FF10, 'tiny', 'text with \\n newline', 0xDEADBEEF, REPEAT('long ', 100), '{\"a\": [1, 2.5, null]}', "
    "'2024-02-29', '-838:59:59', '12:34:56.789', '-00:00:00.000001', '1000-01-01 00:00:00', "
    "'2024-02-29 13:45:30.1', '9999-12-31 23:59:59.999999', '2023-11-14 22:13:20', '2038-01-19 03:14:07.99', "
    "2155, ST_GeomFromText('POINT(1 2)'))";
inline const char* const kRow2 =
    "(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.00, 0, 0.000000001, 0, 0, 0, b'0', b'0', b'0', 'red', '', '', '', '', "
    "'', "
    "'', '', '', '', '', '', '[]', '0000-00-00', '00:00:00', '00:00:00.000', '00:00:00.000000', "
    "'0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00.000000', '1970-01-01 00:00:01', "
    "'1970-01-01 00:00:01.01', 1901, ST_GeomFromText('LINESTRING(0 0, 1 1, 2 3)'))";

}  // namespace mzl::test
