// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::hook {

struct SandboxOptions {
  // Allow what sd_journal_send needs (an AF_UNIX datagram socket and sendmsg). Set only when
  // the journal socket exists.
  bool journal = false;
};

// Self-sandbox (issue item 2), once the hook's trusted inputs (config, trust policy, keys,
// profile, registries.d) are loaded and before it parses any untrusted byte (the state,
// storage records, manifests, signatures): drop every capability (effective, permitted,
// inheritable, ambient, and the bounding set when CAP_SETPCAP allows), set no_new_privs, and
// install a seccomp filter that allows only the system calls reading, parsing, verifying and
// reporting need (sandbox_syscalls()). Files may still be opened, read-only only (the flags are
// checked by the filter); write() only to stderr; no exec, no fork, no network beyond the
// journal's datagram socket. Any other system call raises SIGSYS, whose handler prints one deny
// line and _exits with ExitCode::internal, so a parser bug exploited by hostile input cannot
// act as root (threat: A1/A2 input reaching a memory-safety bug).
// Failure to install is an error: the caller denies.
[[nodiscard]] Result<void> enter_sandbox(const SandboxOptions& options);

// The names of the allowed system calls (documentation, tests).
[[nodiscard]] std::vector<std::string> sandbox_syscalls(const SandboxOptions& options);

} // namespace hardrun::hook
