// What mzl-promote --watch prints (watch/watch_events.h) and the metrics it writes (watch/watch_metrics.h).
#include <catch2/catch.hpp>

#include "mzl/watch/watch_events.h"
#include "mzl/watch/watch_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace mzl;
using namespace mzl::watch;
using namespace std::chrono_literals;

TEST_CASE("watch events: a text line and a JSON object") {
  const WatchEvent e{"lag_average", EventState::kFiring, "127.0.0.1:3307", 7.25, 5.0, "average lag 7.250 s"};
  const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(1'796'601'600));
  CHECK(format_event(e, at, false) ==
        "2026-12-07T00:00:00Z lag_average firing 127.0.0.1:3307: average lag 7.250 s\n");
  CHECK(
      format_event(e, at, true) ==
      "{\"time\":\"2026-12-07T00:00:00Z\",\"kind\":\"lag_average\",\"state\":\"firing\",\"target\":"
      "\"127.0.0.1:3307\",\"value\":7.250000,\"threshold\":5.000000,\"message\":\"average lag 7.250 s\"}\n");
  const WatchEvent info{"primary", EventState::kInfo, "", std::nullopt, std::nullopt, "a \"quoted\" word"};
  CHECK(format_event(info, at, true)
            .find("\"value\":null,\"threshold\":null,\"message\":\"a \\\"quoted\\\" word\"") !=
        std::string::npos);
}

TEST_CASE("watch events: the alert command gets the event in its environment, the diagnosis the p99") {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("mzl-watch-events-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> lines;
  {
    EventSink sink(
        false,
        {"echo \"$MZL_ALERT_KIND $MZL_ALERT_STATE $MZL_ALERT_TARGET $MZL_ALERT_VALUE $MZL_ALERT_THRESHOLD\" "
         ">> " +
             dir + "/alerts",
         "echo \"$MZL_ALERT_KIND $MZL_ALERT_MESSAGE\" >> " + dir + "/diagnoses", 10s},
        [&](std::string_view line) { lines.emplace_back(line); }, nullptr);
    sink.report({"lag_average", EventState::kFiring, "db2:3306", 6.5, 5.0, "above"});
    sink.report({"lag_p99", EventState::kFiring, "db2:3306", 20.0, 15.0, "p99 above"});
    sink.report({"primary_suspect", EventState::kInfo, "db1:3306", std::nullopt, std::nullopt, "no answer"},
                false);
  }  // waits for the commands
  CHECK(lines.size() == 3);
  std::ifstream alerts(dir + "/alerts"), diagnoses(dir + "/diagnoses");
  std::string alert, diagnosis;
  std::getline(alerts, alert);
  std::getline(diagnoses, diagnosis);
  CHECK(alert == "lag_average firing db2:3306 6.500 5.000");
  CHECK(diagnosis == "lag_p99 p99 above");
  std::string more;
  CHECK_FALSE(std::getline(alerts, more));  // the p99 went to the diagnosis, the suspect to no command
  std::filesystem::remove_all(dir);
}

TEST_CASE("watch metrics: servers, roles, lag figures, failovers, the lease") {
  using namespace mzl::topology;
  ServerEntry primary, replica, down;
  primary.address = *ServerAddress::parse("127.0.0.1:3306");
  primary.state = ServerState{};
  primary.state->address = primary.address;
  primary.state->server_id = 1;
  replica.address = *ServerAddress::parse("127.0.0.1:3307");
  replica.state = ServerState{};
  replica.state->address = replica.address;
  replica.state->server_id = 2;
  replica.state->read_only = true;
  ReplicationChannel c;
  c.source = primary.address;
  c.io_running = "Yes";
  replica.state->channels.push_back(c);
  down.address = *ServerAddress::parse("127.0.0.1:3308");
  const Topology t = build_topology({primary, replica, down});
  std::map<std::string, LagTracker> lag;
  const LagTracker::Clock::time_point now{100s};
  lag.emplace("127.0.0.1:3307", LagTracker(LagRules{})).first->second.record(now, 2.5);
  const std::string text = watch_metrics_text({&t, &lag, now, 42, 1, true, 7});
  INFO(text);
  CHECK_THAT(text, Catch::Contains("mzl_watch_server_up{server=\"127.0.0.1:3306\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_server_up{server=\"127.0.0.1:3308\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_server_role{server=\"127.0.0.1:3306\",role=\"primary\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_server_role{server=\"127.0.0.1:3307\",role=\"replica\"} 1\n"));
  CHECK_THAT(text,
             Catch::Contains("mzl_watch_server_role{server=\"127.0.0.1:3308\",role=\"unreachable\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_server_read_only{server=\"127.0.0.1:3307\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_errant_gtids{server=\"127.0.0.1:3307\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_lag_seconds{target=\"127.0.0.1:3307\"} 2.5\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_lag_p99_seconds{target=\"127.0.0.1:3307\"} 2.5\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_checks_total 42\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_failovers_total 1\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_lease_held 1\n"));
  CHECK_THAT(text, Catch::Contains("mzl_watch_lease_term 7\n"));
}

TEST_CASE("watch metrics: errant GTIDs are counted per transaction, MySQL intervals by their length") {
  CHECK(errant_gtid_count("") == 0);
  CHECK(errant_gtid_count("0-2-5") == 1);
  CHECK(errant_gtid_count("0-2-5,1-3-9") == 2);
  CHECK(errant_gtid_count("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-3:5-7") == 6);
  CHECK(errant_gtid_count(
            "3e11fa47-71ca-11e1-9e33-c80aa9429562:4,\n3e11fa47-71ca-11e1-9e33-c80aa9429563:tag:10-19") == 11);
}
