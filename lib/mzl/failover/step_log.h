#pragma once
// The steps of one mzl-promote run, each timed and kept in the run's record (repo/failover_record.h), and
// told as it happens on standard error ("mzl-promote: <server>: <what> (<ms> ms)"), so that a run that
// stops half-way says where.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "mzl/repo/failover_record.h"
#include "mzl/util/result.h"

namespace mzl::failover {

class StepLog {
 public:
  using Sink = std::function<void(std::string_view line)>;
  StepLog(repo::FailoverRecord& record, Sink sink)
      : record_(record), sink_(std::move(sink)), start_(std::chrono::steady_clock::now()) {}

  // Runs `action` as the step `what` on `server` ("" for none) and records how it went.
  Status run(std::string what, std::string server, const std::function<Status()>& action);
  // Records a step that did not fail (or a failure that is only reported: ok = false).
  void note(std::string what, std::string server, const std::string& error = "");
  // Milliseconds since the run started.
  int64_t elapsed_ms() const;
  std::chrono::steady_clock::time_point start() const { return start_; }

 private:
  repo::FailoverRecord& record_;
  Sink sink_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace mzl::failover
