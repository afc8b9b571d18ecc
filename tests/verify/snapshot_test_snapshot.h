#pragma once
// A small snapshot written by the tests themselves with the snapshot writer (DataFileWriter, encode_manifest,
// begin_snapshot/finish_snapshot, TarWriter): two tables, three data files whose rows and column counts are
// known here, so that the checks' expectations come from what the test wrote or damaged.
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "mzl/snapshot/data_file_writer.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/snapshot/tar_stream.h"
#include "mzl/util/output_stream.h"

namespace mzl::test {

struct TestDataFile {
  std::string text;  // LOAD DATA text, written here by hand
  uint64_t rows = 0;
};

struct TestTable {
  std::string database;
  std::string name;
  std::vector<std::string> columns;
  std::vector<TestDataFile> files;
};

struct TestSnapshot {
  std::string id = "20261122T040000Z";
  snapshot::Compression compression = snapshot::Compression::kLz4;
  std::vector<TestTable> tables;
};

// shop.orders (id, item, note): two files, 3 hand-written rows with every escape and NULL, then 4000 rows;
// shop.notes (id, body): one file of 2 rows.
inline TestSnapshot sample_snapshot(snapshot::Compression compression) {
  TestSnapshot s;
  s.compression = compression;
  TestTable orders{"shop", "orders", {"id", "item", "note"}, {}};
  orders.files.push_back(
      {"1\tapple\t\\N\n"
       "2\ttab\\there\\nand a line\t\n"
       "3\tback\\\\slash \\0 \\r \\Z\t\\\\N\n",
       3});
  TestDataFile big;
  for (int i = 4; i < 4004; ++i) big.text += fmt::format("{}\titem number {}\tnote {}\n", i, i * 7, i % 13);
  big.rows = 4000;
  orders.files.push_back(big);
  s.tables.push_back(orders);
  s.tables.push_back({"shop", "notes", {"id", "body"}, {{"1\thello\n2\t\\N\n", 2}}});
  return s;
}

inline std::string schema_text(const TestSnapshot& s) {
  snapshot::SchemaObject database;
  database.kind = "database";
  database.database = database.name = "shop";
  database.sql = "CREATE DATABASE `shop`";
  std::string out = snapshot::encode_schema_object(database);
  for (const TestTable& t : s.tables) {
    snapshot::SchemaObject o;
    o.kind = "table";
    o.database = t.database;
    o.name = t.name;
    o.sql = fmt::format("CREATE TABLE `{}` (...)", t.name);
    out += snapshot::encode_schema_object(o);
  }
  return out;
}

struct TestMember {
  std::string path;  // relative to the snapshot
  std::vector<uint8_t> bytes;
};

// The snapshot's files as written to a stream (data compressed by DataFileWriter::to_memory), and its
// manifest (not in `members`), whose sizes and SHA-256 come from the writer.
inline std::vector<TestMember> snapshot_members(const TestSnapshot& s, snapshot::Manifest& manifest) {
  manifest = {};
  manifest.id = s.id;
  manifest.server.source = "db1_3306";
  manifest.binlog = {"mariadb-bin.000007", 4242, "0-1-99"};
  manifest.started_at = "2026-11-22T04:00:00.000Z";
  manifest.finished_at = "2026-11-22T04:00:01.000Z";
  manifest.compression = s.compression;
  manifest.databases = {"shop"};
  std::vector<TestMember> members;
  auto add = [&](const std::string& path, const std::string& raw, snapshot::Compression c) {
    TestMember m{path, {}};
    auto writer = snapshot::DataFileWriter::to_memory(m.bytes, c);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->write(raw).ok());
    auto digest = (*writer)->finish();
    REQUIRE(digest.ok());
    manifest.files.push_back({path, digest->size, digest->sha256});
    members.push_back(std::move(m));
    return *digest;
  };
  add(std::string(snapshot::kSchemaFileName), schema_text(s), snapshot::Compression::kNone);
  for (const TestTable& t : s.tables) {
    snapshot::TableEntry entry;
    entry.database = t.database;
    entry.name = t.name;
    entry.engine = "InnoDB";
    entry.columns = t.columns;
    for (unsigned i = 0; i < t.files.size(); ++i) {
      const std::string path = snapshot::data_file_path(t.database, t.name, i, 0, s.compression);
      const snapshot::FileDigest digest = add(path, t.files[i].text, s.compression);
      entry.files.push_back({path, t.files[i].rows, digest.raw_bytes});
      entry.rows += t.files[i].rows;
    }
    manifest.tables.push_back(entry);
  }
  std::sort(manifest.files.begin(), manifest.files.end(),
            [](const snapshot::SnapshotFile& a, const snapshot::SnapshotFile& b) { return a.path < b.path; });
  return members;
}

// A tar stream of `members` under "<id>/", then (when given) the manifest as the last member.
inline std::vector<uint8_t> tar_stream(const std::string& id, const std::vector<TestMember>& members,
                                       const std::string* manifest_json) {
  std::vector<uint8_t> out;
  auto sink = make_memory_output(out, "<test stream>");
  snapshot::TarWriter tar(*sink);
  for (const TestMember& m : members) REQUIRE(tar.add_file(id + "/" + m.path, m.bytes, 1795320000).ok());
  if (manifest_json) REQUIRE(tar.add_file(id + "/manifest.json", *manifest_json, 1795320000).ok());
  REQUIRE(tar.finish().ok());
  return out;
}

// Writes the snapshot into REPO/snapshots/<id>/ the way mzl-snapshot does (begin_snapshot, files written by
// DataFileWriter::create_file, finish_snapshot) and returns its manifest.
inline snapshot::Manifest write_snapshot_directory(const std::string& repo, const TestSnapshot& s) {
  snapshot::Manifest manifest;
  std::vector<TestMember> in_memory = snapshot_members(s, manifest);
  std::string id = s.id;
  auto partial = snapshot::begin_snapshot(repo, id);
  REQUIRE(partial.ok());
  REQUIRE(id == s.id);
  // Files on disk are written by create_file (no LZ4 content checksum there): the manifest's digests are
  // recomputed from what it wrote.
  manifest.files.clear();
  auto write = [&](const std::string& path, const std::string& raw, snapshot::Compression c) {
    std::filesystem::create_directories(std::filesystem::path(*partial + "/" + path).parent_path());
    auto writer = snapshot::DataFileWriter::create_file(*partial + "/" + path, c);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->write(raw).ok());
    auto digest = (*writer)->finish();
    REQUIRE(digest.ok());
    manifest.files.push_back({path, digest->size, digest->sha256});
  };
  write(std::string(snapshot::kSchemaFileName), schema_text(s), snapshot::Compression::kNone);
  for (unsigned t = 0; t < s.tables.size(); ++t) {
    for (unsigned i = 0; i < s.tables[t].files.size(); ++i) {
      write(manifest.tables[t].files[i].path, s.tables[t].files[i].text, s.compression);
    }
  }
  std::sort(manifest.files.begin(), manifest.files.end(),
            [](const snapshot::SnapshotFile& a, const snapshot::SnapshotFile& b) { return a.path < b.path; });
  REQUIRE(snapshot::finish_snapshot(repo, id, manifest).ok());
  return manifest;
}

inline uint64_t total_rows(const TestSnapshot& s) {
  uint64_t rows = 0;
  for (const TestTable& t : s.tables)
    for (const TestDataFile& f : t.files) rows += f.rows;
  return rows;
}

}  // namespace mzl::test
