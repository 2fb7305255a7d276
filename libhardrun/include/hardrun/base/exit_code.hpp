// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace hardrun {

// The one exit-status contract of every hardrun executable (hardrun, hardrun-runtime,
// hardrun-hook); documented in hardrun(1) EXIT STATUS. CLI11's own 100-127 codes are never
// returned: main() maps every parse error to Usage.
enum class ExitCode : int {
  ok = 0,            // compliant / allowed / done
  denied = 1,        // findings: the config or image is refused
  usage = 2,         // bad command line
  invalid_input = 3, // a file or stream could not be parsed or broke a limit
  system_error = 4,  // an I/O or system call failed
  timeout = 5,       // an internal deadline expired
  internal = 70,     // a bug: an unexpected exception (EX_SOFTWARE)
};

[[nodiscard]] constexpr int
to_int(ExitCode code)
{
  return static_cast<int>(code);
}

} // namespace hardrun
