// SPDX-License-Identifier: Apache-2.0
// hardrun doctor: placeholder until its issue's work lands; refuses rather than pretending to work.
#include <iostream>

#include "commands.hpp"

namespace hardrun::commands {

ExitCode
run_doctor(const cli::DoctorOptions& /*options*/)
{
  std::cerr << "hardrun doctor: not implemented yet\n";
  return ExitCode::internal;
}

} // namespace hardrun::commands
