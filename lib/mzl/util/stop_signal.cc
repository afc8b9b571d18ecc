#include "mzl/util/stop_signal.h"

#include <atomic>
#include <csignal>

namespace mzl {

namespace {

std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int signal_number) {
  if (g_stop_signal.exchange(signal_number) != 0) {
    std::signal(signal_number, SIG_DFL);  // second signal: stop now
    std::raise(signal_number);
  }
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

bool stop_requested() {
  return g_stop_signal.load() != 0;
}
int stop_signal() {
  return g_stop_signal.load();
}
void reset_stop_request() {
  g_stop_signal.store(0);
}

}  // namespace mzl
