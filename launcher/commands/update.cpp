// SPDX-License-Identifier: Apache-2.0
// hardrun update: placeholder until its issue's work lands; refuses rather than pretending to work.
#include <iostream>

#include "commands.hpp"

namespace hardrun::commands {

ExitCode
run_update(const cli::UpdateOptions& /*options*/)
{
  std::cerr << "hardrun update: not implemented yet\n";
  return ExitCode::internal;
}

} // namespace hardrun::commands
