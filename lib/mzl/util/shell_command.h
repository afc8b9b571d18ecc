#pragma once
// Running an operator's command (mzl-promote's --hook-pre, --hook-post, --fence-command): /bin/sh -c
// COMMAND with extra environment variables, its standard output sent to our standard error (our standard
// output carries data only), killed (SIGKILL to its process group) when it outlasts `timeout`.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "mzl/util/result.h"

namespace mzl {

using Environment = std::vector<std::pair<std::string, std::string>>;

// ok when the command exits 0. kIo when it cannot be started; kInterrupted naming the command and how it
// ended when it exits non-zero, is killed by a signal or times out.
Status run_shell_command(const std::string& command, const Environment& environment,
                         std::chrono::milliseconds timeout);

}  // namespace mzl
