// SPDX-License-Identifier: Apache-2.0
// The hook's own deadline (security.md R1): the runtime's timeout is not dependable (crun blocks
// writing a large state before its clock starts: E8), so the hook bounds itself.
#pragma once

#include <chrono>

namespace hardrun::hook {

// Arm (or re-arm) the deadline at `total` after process start (measured with CLOCK_MONOTONIC
// from the first call). On expiry a SIGALRM handler prints one deny line and _exits with
// ExitCode::timeout (0 in warn mode). `warn` selects that exit status.
void arm_deadline(std::chrono::milliseconds total, bool warn);

// The descriptor the expiry line goes to (default: stderr). While the hook decides, stderr is
// pointed at /dev/null to silence library diagnostics; the caller passes its saved stderr here
// so that a deadline expiring then is still reported (R1: a timeout deny is one stderr line).
void set_report_fd(int fd);

// Milliseconds since the first arm_deadline call.
[[nodiscard]] double elapsed_ms();

} // namespace hardrun::hook
