// SPDX-License-Identifier: Apache-2.0
// The journal half of the report, through libsystemd loaded on demand (journal.cpp): the hook
// does not link libsystemd, so a host without journald (or a run that never reports to it)
// does not map libsystemd, libgcrypt, liblzma, libzstd, liblz4 and libcap at every start.
#pragma once

#include <systemd/sd-journal.h>

#include <string>

namespace hardrun::hook {

struct Journal {
  // sd_journal_send of the loaded libsystemd; null: no journal entry is sent.
  decltype(&::sd_journal_send) send = nullptr;
  // Set when the journal socket exists but libsystemd could not be used (the report says so).
  std::string error;
};

// When `socket_exists`, load libsystemd and resolve sd_journal_send. Call before the sandbox
// (dlopen maps executable pages, which the seccomp filter forbids). Otherwise load nothing.
[[nodiscard]] Journal open_journal(bool socket_exists);

} // namespace hardrun::hook
