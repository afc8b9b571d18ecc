#pragma once
// Graceful stop on SIGTERM / SIGINT: the handler only records the request; long-running loops check
// stop_requested() between units of work (an event, a chunk, a transaction), finish the unit, make it
// durable and return. A second signal while stopping restores the default action, so a second Ctrl-C or
// SIGTERM ends the process at once (what was fsynced stays, the rest is redone on the next run).
namespace mzl {

// Installs the handlers for SIGTERM and SIGINT (SA_RESTART is not set, so a blocking read returns EINTR).
void install_stop_handlers();
bool stop_requested();
// The signal number that requested the stop (0 when none).
int stop_signal();
// For tests: clears the request.
void reset_stop_request();

}  // namespace mzl
