// SPDX-License-Identifier: Apache-2.0
#include "report.hpp"

#include <unistd.h>

namespace hardrun::hook {

std::string
sanitize(const std::string& s, std::size_t max)
{
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (const char c : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return out;
}

int
report(const Verdict& v, bool warn, const Journal& journal, const std::string& stage)
{
  const std::string rule = sanitize(v.rule, 64);
  const std::string reason = sanitize(v.reason);
  std::string line = "hardrun-hook: ";
  if (v.allow) {
    line += "allow: " + rule + ": " + reason;
  } else {
    line += "deny: " + rule + ": " + reason + " \xe2\x80\x94 " + sanitize(v.fix);
    if (warn) {
      line += " (warn mode: container allowed)";
    }
  }
  if (!journal.error.empty()) {
    line += " (no journal entry: " + sanitize(journal.error, 256) + ")";
  }
  line += '\n';
  // One write(2): the line arrives whole even when stderr is shared.
  [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, line.data(), line.size());

  const char* verdict = v.allow ? "allow" : (warn ? "warn" : "deny");
  if (journal.send != nullptr) {
    const std::string message = line.substr(0, line.size() - 1);
    journal.send("MESSAGE=%s", message.c_str(), "MESSAGE_ID=%s", k_message_id, "PRIORITY=%d", v.allow ? 6 : 4,
                 "SYSLOG_IDENTIFIER=hardrun-hook", "CONTAINER_ID=%s", sanitize(v.container_id, 128).c_str(),
                 "IMAGE_REFERENCE=%s", sanitize(v.reference).c_str(), "IMAGE_DIGEST=%s",
                 sanitize(v.digest, 128).c_str(), "VERDICT=%s", verdict, "RULE=%s", rule.c_str(), "SIGNER=%s",
                 sanitize(v.signer, 256).c_str(), "HARDRUN_STAGE=%s", sanitize(stage, 32).c_str(), nullptr);
  }
  if (v.allow || warn) {
    return to_int(ExitCode::ok);
  }
  return to_int(v.code == ExitCode::ok ? ExitCode::denied : v.code);
}

} // namespace hardrun::hook
