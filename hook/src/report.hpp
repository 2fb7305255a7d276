// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "hardrun/base/exit_code.hpp"
#include "hardrun/sys/journal.hpp"

namespace hardrun::hook {

// MESSAGE_ID of every hardrun-hook journal entry (journalctl MESSAGE_ID=…).
inline constexpr const char* k_message_id = "4c1d7a2e9b3f4e6a8d5c0b1a2f3e4d5c";
using sys::Journal;

// One admission decision.
struct Verdict {
  bool allow = false;
  std::string rule;   // "pinned", "signed", "not-hardened", "state", "storage", "config", …
  std::string reason; // one line
  std::string fix;    // one line
  ExitCode code = ExitCode::denied; // exit status when denied in enforce mode
  std::string container_id;
  std::string reference;
  std::string digest;
  std::string signer;
  std::vector<std::string> notes;
};

// Print the one stderr line and, when `journal.send` is set, send the structured journal entry
// (when the journal exists but libsystemd could not be loaded, the line says so); return the
// exit status. Deny: "hardrun-hook: deny: <rule>: <reason> — <fix>" (warn mode
// appends "(warn mode: container allowed)" and returns 0). Allow: "hardrun-hook: allow:
// <rule>: <reason>". Control characters in any field are replaced, so neither the line nor the
// journal fields can be forged from image names or storage content.
[[nodiscard]] int report(const Verdict& v, bool warn, const Journal& journal, const std::string& stage);

// Control characters (incl. newline) replaced by '?', and at most `max` bytes.
[[nodiscard]] std::string sanitize(const std::string& s, std::size_t max = 1024);

} // namespace hardrun::hook
