// SPDX-License-Identifier: Apache-2.0
// hardrun audit: placeholder until its issue's work lands; refuses rather than pretending to work.
#include <iostream>

#include "commands.hpp"

namespace hardrun::commands {

ExitCode
run_audit(const cli::AuditOptions& /*options*/)
{
  std::cerr << "hardrun audit: not implemented yet\n";
  return ExitCode::internal;
}

} // namespace hardrun::commands
