#include "etcd_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "mzl/lease/http_post.h"
#include "test_support.h"

extern char** environ;

namespace mzl::test {

namespace {

// The program to run: $MZL_ETCD, else the first `etcd` on PATH; "" when there is none.
std::string find_etcd() {
  if (const char* chosen = std::getenv("MZL_ETCD"); chosen != nullptr && *chosen != '\0') return chosen;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/etcd";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

// Another process could take the port before etcd binds it; the startup wait then fails with etcd's log
// saying so.
unsigned free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  REQUIRE(ok);
  return ntohs(address.sin_port);
}

EtcdServer::EtcdServer(std::chrono::milliseconds startup_timeout) {
  const std::string etcd = find_etcd();
  if (etcd.empty()) {
    skip_or_fail("etcd is not installed (Debian: etcd-server; or set MZL_ETCD)");
    return;
  }
  std::string dir_template = (std::filesystem::temp_directory_path() / "mzl-etcd-XXXXXX").string();
  REQUIRE(::mkdtemp(dir_template.data()) != nullptr);
  dir_ = dir_template;

  const unsigned client_port = free_loopback_port();
  unsigned peer_port = free_loopback_port();
  while (peer_port == client_port) peer_port = free_loopback_port();
  address_ = HostPort{"127.0.0.1", client_port};
  const std::string client_url = fmt::format("http://127.0.0.1:{}", client_port);
  const std::string peer_url = fmt::format("http://127.0.0.1:{}", peer_port);
  const std::vector<std::string> args = {etcd,
                                         "--name=mzl-test",
                                         "--data-dir=" + (dir_ / "data").string(),
                                         "--listen-client-urls=" + client_url,
                                         "--advertise-client-urls=" + client_url,
                                         "--listen-peer-urls=" + peer_url,
                                         "--initial-advertise-peer-urls=" + peer_url,
                                         "--initial-cluster=mzl-test=" + peer_url,
                                         "--initial-cluster-state=new"};
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log_path = (dir_ / "etcd.log").string();
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, etcd.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    fail_startup(fmt::format("could not start {}: {}", etcd, std::strerror(spawned)));
    return;
  }
  pid_ = pid;

  // Ready when it grants a lease (the first request mzl makes); the lease expires by itself.
  const auto give_up = std::chrono::steady_clock::now() + startup_timeout;
  std::string last_problem;
  while (true) {
    auto answer = http_post(address_, "/v3/lease/grant", R"({"TTL":"2"})", std::chrono::seconds(2));
    if (answer.ok() && answer->status == 200) return;
    last_problem =
        answer.ok() ? fmt::format("HTTP {}: {}", answer->status, answer->body) : answer.error().message;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      fail_startup("etcd exited at startup");
      return;
    }
    if (std::chrono::steady_clock::now() >= give_up) {
      fail_startup(
          fmt::format("etcd did not grant a lease within {} ms ({})", startup_timeout.count(), last_problem));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

EtcdServer::~EtcdServer() {
  stop();
}

void EtcdServer::fail_startup(const std::string& why) {
  const std::string tail = log();
  stop();
  FAIL(why << "; the end of its log:\n" << tail);
}

void EtcdServer::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }
  pid_ = -1;
}

std::string EtcdServer::lease_url(std::string_view key) const {
  return fmt::format("etcd://{}/{}", address_.to_string(), key);
}

std::string EtcdServer::log() const {
  std::ifstream in(dir_ / "etcd.log");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr size_t kTail = 4000;
  return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

}  // namespace mzl::test
