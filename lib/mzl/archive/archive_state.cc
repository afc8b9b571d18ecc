#include "mzl/archive/archive_state.h"

#include <fmt/format.h>

#include "mzl/repo/local_storage.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/json.h"
#include "mzl/util/json_reader.h"

namespace mzl::archive {

std::string encode_archive_state(const ArchiveState& state) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("format", kArchiveStateFormat);
  w.field("source", state.source);
  w.plain_key("server");
  w.begin_object();
  w.field("server_uuid", state.server.server_uuid);
  w.field("server_id", uint64_t{state.server.server_id});
  w.field("flavour", state.server.flavour);
  w.field("version", state.server.version);
  w.end_object();
  w.field("current_file", state.current_file);
  w.field("durable_position", state.durable_position);
  w.field("gtid_position", state.gtid_position);
  w.field("current_crc32", uint64_t{state.current_crc32});
  w.field("current_first_gtid", state.current_first_gtid);
  w.field("current_last_gtid", state.current_last_gtid);
  w.plain_key("closed_files");
  w.begin_array();
  for (const auto& file : state.closed_files) {
    out += "\n  ";
    w.begin_object();
    w.field("name", file.name);
    w.field("size", file.size);
    w.field("crc32", uint64_t{file.crc32});
    w.field("first_gtid", file.first_gtid);
    w.field("last_gtid", file.last_gtid);
    w.end_object();
  }
  w.end_array();
  if (state.follows) {
    w.plain_key("follows");
    w.begin_object();
    w.field("source", state.follows->source);
    w.field("record", state.follows->record);
    w.field("from_gtid_position", state.follows->from_gtid_position);
    w.end_object();
  }
  w.end_object();
  out += '\n';
  return out;
}

Result<ArchiveState> decode_archive_state(std::string_view json, const std::string& where) {
  MZL_TRY(JsonValue root, parse_json(json, where, "state file"));
  const JsonObject* object = root.as_object();
  if (!object) return Error{ErrorCode::kCorrupt, "bad state file: not a JSON object"}.at_r(where);
  JsonFields fields(*object, where, "state file");
  uint64_t format = 0;
  MZL_CHECK(fields.get("format", format));
  if (format == 0 || format > kArchiveStateFormat) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("state file format {} is not supported (this mzl writes format {})", format,
                             kArchiveStateFormat)}
        .at_r(where);
  }
  ArchiveState state;
  MZL_CHECK(fields.get("source", state.source));
  MZL_TRY(const JsonObject* server_object, fields.object("server"));
  if (server_object) {
    JsonFields s(*server_object, where, "state file", "server");
    MZL_CHECK(s.get("server_uuid", state.server.server_uuid));
    MZL_CHECK(s.get_int("server_id", state.server.server_id));
    MZL_CHECK(s.get("flavour", state.server.flavour));
    MZL_CHECK(s.get("version", state.server.version));
  }
  MZL_CHECK(fields.get("current_file", state.current_file));
  MZL_CHECK(fields.get("durable_position", state.durable_position));
  MZL_CHECK(fields.get("gtid_position", state.gtid_position));
  MZL_CHECK(fields.get_int("current_crc32", state.current_crc32));
  MZL_CHECK(fields.get("current_first_gtid", state.current_first_gtid));
  MZL_CHECK(fields.get("current_last_gtid", state.current_last_gtid));
  MZL_TRY(const JsonArray* files, fields.array("closed_files"));
  if (files) {
    for (size_t i = 0; i < files->size(); ++i) {
      const JsonObject* file_object = (*files)[i].as_object();
      if (!file_object) return fields.wrong("closed_files", "holds something else than objects");
      JsonFields f(*file_object, where, "state file", fmt::format("closed_files[{}]", i));
      ClosedFileInfo info;
      MZL_CHECK(f.get("name", info.name));
      MZL_CHECK(f.get("size", info.size));
      MZL_CHECK(f.get_int("crc32", info.crc32));
      MZL_CHECK(f.get("first_gtid", info.first_gtid));
      MZL_CHECK(f.get("last_gtid", info.last_gtid));
      state.closed_files.push_back(std::move(info));
    }
  }
  MZL_TRY(const JsonObject* follows_object, fields.object("follows"));
  if (follows_object) {
    JsonFields f(*follows_object, where, "state file", "follows");
    SourceLink link;
    MZL_CHECK(f.get("source", link.source));
    MZL_CHECK(f.get("record", link.record));
    MZL_CHECK(f.get("from_gtid_position", link.from_gtid_position));
    state.follows = std::move(link);
  }
  return state;
}

Result<ArchiveState> read_archive_state(const std::string& path) {
  MZL_TRY(auto in, repo::local_storage().open_read(path));
  MZL_TRY(std::vector<uint8_t> bytes, read_all(*in));
  return decode_archive_state(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                              path);
}

}  // namespace mzl::archive
