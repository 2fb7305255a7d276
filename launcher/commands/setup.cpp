// SPDX-License-Identifier: Apache-2.0
//
// hardrun setup: what the default (strict) profile needs from the host. podman --userns=auto
// takes host ids from the ranges of user "containers" in /etc/subuid and /etc/subgid, which are
// empty on a fresh Debian 12 (DESIGN.md platform facts).
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "hardrun/sys/env.hpp"
#include "hardrun/sys/fs.hpp"
#include "input.hpp"

namespace hardrun::commands {
namespace {

// podman's documented default for --userns=auto: 2^31 ids from 2^31-1, far above login users.
constexpr std::uint64_t k_start = 2147483647ULL;
constexpr std::uint64_t k_size = 2147483648ULL;

Result<bool>
ensure_range(const std::string& path, bool dry_run)
{
  std::string text;
  std::optional<sys::FileIdentity> identity;
  auto file = sys::read_file(path, sys::ReadOptions{1U << 20U, true, true, true});
  if (file) {
    text = file->bytes;
    identity = file->identity;
  } else if (file.error().code != Errc::not_found) {
    return Unexpected(file.error());
  }
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto c1 = line.find(':');
    const auto c2 = line.find(':', c1 == std::string::npos ? 0 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) {
      continue;
    }
    if (line.substr(0, c1) == "containers") {
      return false; // already there: the admin's choice stands
    }
    std::uint64_t start = 0;
    std::uint64_t size = 0;
    try {
      start = std::stoull(line.substr(c1 + 1, c2 - c1 - 1));
      size = std::stoull(line.substr(c2 + 1));
    } catch (...) {
      continue;
    }
    if (start < k_start + k_size && k_start < start + size) {
      return make_error(Errc::conflict, path + ": the range " + std::to_string(k_start) + "+" + std::to_string(k_size) +
                                          " overlaps \"" + line + "\"; add a line containers:START:SIZE yourself");
    }
  }
  if (dry_run) {
    return true;
  }
  if (!text.empty() && text.back() != '\n') {
    text += '\n';
  }
  text += "containers:" + std::to_string(k_start) + ":" + std::to_string(k_size) + "\n";
  sys::WriteOptions wo;
  wo.replaces = identity;
  wo.mode = 0644;
  HARDRUN_TRY(sys::atomic_write(path, text, wo));
  return true;
}

} // namespace

ExitCode
run_setup(const cli::SetupOptions& o)
{
  for (const char* path : {"/etc/subuid", "/etc/subgid"}) {
    auto changed = ensure_range(path, o.dry_run);
    if (!changed) {
      return report_error(changed.error());
    }
    std::cout << path << ": "
              << (*changed ? (o.dry_run ? "would add " : "added ") + std::string("containers:") + std::to_string(k_start) + ":" +
                               std::to_string(k_size)
                           : std::string("user containers already has ranges"))
              << '\n';
  }
  return ExitCode::ok;
}

} // namespace hardrun::commands
