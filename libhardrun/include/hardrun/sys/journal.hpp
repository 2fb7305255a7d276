// SPDX-License-Identifier: Apache-2.0
// The journal half of a refusal, through libsystemd loaded on demand (journal.cpp): neither the
// hook nor the runtime shim links libsystemd, so a start that never reports to the journal does
// not map libsystemd, libgcrypt, liblzma, libzstd, liblz4 and libcap, nor pay their relocations
// (README.md "Performance": the shim sits on every container create).
#pragma once

#include <string>

namespace hardrun::sys {

// sd_journal_send(3)'s type (journal.cpp checks it against <systemd/sd-journal.h>), so users of
// this header need not see libsystemd's headers.
using JournalSend = int (*)(const char* format, ...);

struct Journal {
  // sd_journal_send of the loaded libsystemd; null: no journal entry is sent.
  JournalSend send = nullptr;
  // Set when the journal socket exists but libsystemd could not be used (the report says so).
  std::string error;
};

// The socket journald listens on; no socket, no journal entry (and no libsystemd loaded).
inline constexpr const char* k_journal_socket = "/run/systemd/journal/socket";

// When `socket_exists`, load libsystemd and resolve sd_journal_send. The hook calls this before
// its sandbox (dlopen maps executable pages, which its seccomp filter forbids). Otherwise load
// nothing.
[[nodiscard]] Journal open_journal(bool socket_exists);

// open_journal(the socket exists): for callers that report only when something went wrong.
[[nodiscard]] Journal open_journal_if_listening();

} // namespace hardrun::sys
