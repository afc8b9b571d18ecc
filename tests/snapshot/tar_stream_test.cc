#include "mzl/snapshot/tar_stream.h"

#include <map>
#include <random>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "format_test_support.h"

using namespace mzl;
using namespace mzl::snapshot;
using mzl::test::read_bytes;
using mzl::test::run_command;
using mzl::test::TempDir;

namespace {

std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// path -> content, for members written by the tests.
std::map<std::string, std::string> sample_members() {
  std::map<std::string, std::string> m;
  m["20261122T040000Z/schema.jsonl"] = "{\"kind\":\"database\"}\n";
  m["20261122T040000Z/data/d/empty.00000.000.tsv"] = "";
  m["20261122T040000Z/data/d/block.00000.000.tsv"] = random_bytes(512, 1);
  m["20261122T040000Z/data/d/big.00000.000.tsv.lz4"] = random_bytes(300001, 2);
  // 200 characters in one component: does not fit ustar at all (pax path).
  m["20261122T040000Z/data/d/" + std::string(200, 'x') + ".tsv"] = "long name";
  // 200 characters that ustar can split into prefix and name.
  m[std::string(120, 'p') + "/" + std::string(79, 'n')] = "split name";
  // Longer than 255.
  m[std::string(150, 'a') + "/" + std::string(150, 'b') + "/c"] = random_bytes(1000, 3);
  m["20261122T040000Z/manifest.json"] = "{}\n";
  return m;
}

std::map<std::string, std::string> read_archive(InputStream& in, size_t piece = 7000) {
  TarReader reader(in);
  std::map<std::string, std::string> out;
  for (;;) {
    auto member = reader.next();
    if (!member.ok()) FAIL(member.error().to_string());
    if (!*member) break;
    std::string content;
    std::vector<uint8_t> buf(piece);
    for (;;) {
      auto n = reader.read(buf);
      REQUIRE(n.ok());
      if (*n == 0) break;
      content.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    CHECK(content.size() == (*member)->size);
    out[(*member)->path] = content;
  }
  auto again = reader.next();
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  return out;
}

std::vector<uint8_t> write_archive(const std::map<std::string, std::string>& members, int64_t mtime) {
  std::vector<uint8_t> bytes;
  auto out = make_memory_output(bytes, "s.tar");
  TarWriter tar(*out);
  for (const auto& [path, content] : members) REQUIRE(tar.add_file(path, content, mtime).ok());
  REQUIRE(tar.finish().ok());
  CHECK(tar.bytes_written() == bytes.size());
  CHECK(bytes.size() % kTarBlockSize == 0);
  return bytes;
}

Error read_error(std::vector<uint8_t> bytes) {
  auto in = make_memory_input(std::move(bytes), "s.tar");
  TarReader reader(*in);
  std::vector<uint8_t> buf(4096);
  for (;;) {
    auto member = reader.next();
    if (!member.ok()) return member.error();
    REQUIRE(member->has_value());
    for (;;) {
      auto n = reader.read(buf);
      if (!n.ok()) return n.error();
      if (*n == 0) break;
    }
  }
}

}  // namespace

TEST_CASE("TarWriter: GNU tar lists and extracts what it writes, byte for byte") {
  TempDir dir;
  const auto members = sample_members();
  const auto bytes = write_archive(members, 1795320000);  // 2026-11-22T04:00:00Z
  const std::string tar_path = dir.str("s.tar");
  mzl::test::write_bytes(tar_path, std::string(bytes.begin(), bytes.end()));

  int status = -1;
  const std::string listing = run_command(fmt::format("tar --utc -tvf {} 2>&1", tar_path), &status);
  CHECK(status == 0);
  INFO(listing);
  for (const auto& [path, content] : members) {
    CHECK_THAT(listing, Catch::Contains(fmt::format("-rw------- 0/0 {:>9} 2026-11-22 04:00 {}\n",
                                                    content.size(), path)) ||
                            Catch::Contains(fmt::format(" {} 2026-11-22 04:00 {}\n", content.size(), path)));
  }
  CHECK_THAT(listing, Catch::Contains("-rw-------"));
  CHECK(run_command(fmt::format("tar -tf {} | wc -l", tar_path)) == fmt::format("{}\n", members.size()));

  const std::string out_dir = dir.str("x");
  std::filesystem::create_directory(out_dir);
  CHECK(run_command(fmt::format("tar -xf {} -C {} 2>&1; echo $?", tar_path, out_dir)) == "0\n");
  for (const auto& [path, content] : members) {
    INFO(path);
    CHECK(read_bytes(std::filesystem::path(out_dir) / path) == content);
  }
  // A Python reader agrees too (pax 'path' records and ustar prefixes), when python3 is installed.
  const std::string py = run_command(fmt::format(
      "python3 -c 'import tarfile; print(sum(1 for m in tarfile.open(\"{}\") if m.isfile()))' 2>/dev/null",
      tar_path));
  if (!py.empty()) CHECK(py == fmt::format("{}\n", members.size()));
}

TEST_CASE("TarReader reads what TarWriter writes, in any piece size, skipping unread data") {
  const auto members = sample_members();
  const auto bytes = write_archive(members, 1234);
  for (size_t piece : {size_t{1}, size_t{511}, size_t{513}, size_t{1} << 20}) {
    auto in = make_memory_input(bytes, "s.tar");
    CHECK(read_archive(*in, piece) == members);
  }
  // Reading no data at all: next() skips every member.
  auto in = make_memory_input(bytes, "s.tar");
  TarReader reader(*in);
  std::vector<std::string> paths;
  for (;;) {
    auto m = reader.next();
    REQUIRE(m.ok());
    if (!*m) break;
    CHECK((*m)->mtime == 1234);
    paths.push_back((*m)->path);
  }
  CHECK(paths.size() == members.size());
  // member_input() reads the current member as a stream.
  auto in2 = make_memory_input(bytes, "s.tar");
  TarReader reader2(*in2);
  auto first = reader2.next();
  REQUIRE(first.ok());
  auto member_stream = reader2.member_input();
  CHECK(member_stream->name() == "s.tar:" + (*first)->path);
  auto content = read_all(*member_stream);
  REQUIRE(content.ok());
  CHECK(std::string(content->begin(), content->end()) == members.at((*first)->path));
}

TEST_CASE("TarReader reads what GNU tar writes (gnu, pax and ustar formats)") {
  TempDir dir;
  const std::string src = dir.str("src");
  std::map<std::string, std::string> files;
  files["snap/schema.jsonl"] = "schema\n";
  files["snap/data/db/" + std::string(180, 'L') + ".tsv"] = random_bytes(70000, 4);
  files["snap/data/db/t.00000.000.tsv"] = random_bytes(1024, 5);
  files["snap/empty"] = "";
  for (const auto& [path, content] : files) {
    std::filesystem::create_directories((std::filesystem::path(src) / path).parent_path());
    mzl::test::write_bytes(std::filesystem::path(src) / path, content);
  }
  for (const char* format : {"gnu", "pax", "posix", "ustar"}) {
    INFO(format);
    const std::string tar_path = dir.str(fmt::format("{}.tar", format));
    int status = -1;
    const std::string out =
        run_command(fmt::format("tar --format={} -cf {} -C {} snap 2>&1", format, tar_path, src), &status);
    if (std::string(format) == "ustar") {
      // ustar cannot hold the 196-character single component; GNU tar refuses that member.
      CHECK(status != 0);
      continue;
    }
    REQUIRE(status == 0);
    auto in = open_plain_input(tar_path);
    REQUIRE(in.ok());
    CHECK(read_archive(**in) == files);  // directory members are skipped
  }
}

TEST_CASE("TarReader: bad checksum, truncation, missing end marker, non-regular members") {
  const auto bytes = write_archive({{"a", std::string(1000, 'a')}, {"b", "bb"}}, 0);
  // The second header is at 512 (header a) + 1024 (data a).
  auto damaged = bytes;
  damaged[1536 + 10] ^= 1;
  Error e1 = read_error(damaged);
  CHECK(e1.code == ErrorCode::kCorrupt);
  CHECK(e1.where == "s.tar");
  CHECK(e1.offset == 1536u);
  CHECK_THAT(e1.message, Catch::Contains("checksum"));

  Error e2 = read_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 700));
  CHECK(e2.code == ErrorCode::kCorrupt);
  CHECK_THAT(e2.message, Catch::Contains("inside member \"a\""));
  CHECK(e2.offset == 700u);

  Error e3 = read_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 2560));
  CHECK(e3.code == ErrorCode::kCorrupt);
  CHECK_THAT(e3.message, Catch::Contains("end-of-archive"));
  CHECK(e3.offset == 2560u);

  Error e4 = read_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 1536 + 100));
  CHECK_THAT(e4.message, Catch::Contains("inside a header"));

  TempDir dir;
  run_command(fmt::format("cd {} && echo x > f && ln -s f l && tar -cf s.tar l", dir.str()));
  auto in = open_plain_input(dir.str("s.tar"));
  REQUIRE(in.ok());
  TarReader reader(**in);
  auto link = reader.next();
  REQUIRE_FALSE(link.ok());
  CHECK(link.error().code == ErrorCode::kUnsupported);
}

TEST_CASE("TarWriter: bad member names are refused") {
  std::vector<uint8_t> bytes;
  auto out = make_memory_output(bytes);
  TarWriter tar(*out);
  for (std::string bad : {std::string(), std::string("/abs"), std::string("dir/"), std::string("a\0b", 3)}) {
    auto s = tar.add_file(bad, std::string_view("x"), 0);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(bytes.empty());
}
