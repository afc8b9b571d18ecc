#include "mzl/snapshot/snapshot_directory.h"

namespace mzl::snapshot {

std::string snapshot_id_for(std::chrono::system_clock::time_point) {
  return {};
}
bool is_snapshot_id(std::string_view) {
  return false;
}
std::string snapshots_dir(const std::string& repo) {
  return repo + "/snapshots";
}
std::string snapshot_dir(const std::string& repo, const std::string& id) {
  return snapshots_dir(repo) + "/" + id;
}
std::string partial_snapshot_dir(const std::string& repo, const std::string& id) {
  return snapshots_dir(repo) + "/" + std::string(kPartialPrefix) + id;
}
Result<std::string> begin_snapshot(const std::string& repo, std::string&) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(repo);
}
Status finish_snapshot(const std::string& repo, const std::string&, const Manifest&) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(repo);
}
Status remove_partial_snapshots(const std::string& repo) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(repo);
}
Status remove_snapshot(const std::string& repo, const std::string&) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(repo);
}
Result<std::vector<std::string>> list_snapshot_ids(const std::string& repo) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(repo);
}
Result<Manifest> read_manifest(const std::string& snapshot_dir) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(snapshot_dir);
}

}  // namespace mzl::snapshot
