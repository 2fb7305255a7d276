// SPDX-License-Identifier: Apache-2.0
// Placeholder until the quadlet work lands; refuses rather than pretending to lint.
#include "audit_quadlet.hpp"

#include <iostream>

namespace hardrun::commands {

ExitCode
audit_quadlet_files(const std::vector<std::string>& /*paths*/, const cli::AuditOptions& /*options*/)
{
  std::cerr << "hardrun audit: quadlet files: not implemented yet\n";
  return ExitCode::internal;
}

} // namespace hardrun::commands
