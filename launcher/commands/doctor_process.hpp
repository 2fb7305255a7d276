// SPDX-License-Identifier: Apache-2.0
// Running podman and runtimes for doctor and audit: bounded in time and output, never a shell.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace hardrun::commands {

struct ProcessResult {
  bool started = false;  // false: fork/exec failed (error says why)
  bool timed_out = false; // killed (with its process group) at the deadline
  int exit_code = -1;     // exit status, or 128+signal
  std::string out;        // standard output, at most max_output bytes
  std::string err;        // standard error, at most max_output bytes
  std::string error;
};

// Runs argv (argv[0] searched in PATH) with stdin from /dev/null in its own process group;
// kills that group when `timeout` passes. Output beyond max_output bytes is read and dropped.
[[nodiscard]] ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                        std::size_t max_output = std::size_t{4} << 20U);

// The first line of a process's stderr (or stdout), for one-line reports.
[[nodiscard]] std::string first_line(const ProcessResult& r);

} // namespace hardrun::commands
