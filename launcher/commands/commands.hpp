// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "../cli.hpp"
#include "hardrun/base/exit_code.hpp"

namespace hardrun::commands {

// Each command prints its own report and errors and returns the exit status.
[[nodiscard]] ExitCode run_harden(const cli::HardenOptions& options);
[[nodiscard]] ExitCode run_check(const cli::CheckOptions& options);
[[nodiscard]] ExitCode run_run(const cli::RunOptions& options);
[[nodiscard]] ExitCode run_precreate(const cli::PrecreateOptions& options);
[[nodiscard]] ExitCode run_setup(const cli::SetupOptions& options);
[[nodiscard]] ExitCode run_verify(const cli::VerifyOptions& options);
[[nodiscard]] ExitCode run_install_hook(const cli::InstallHookOptions& options);
[[nodiscard]] ExitCode run_quadlet(const cli::QuadletOptions& options);
[[nodiscard]] ExitCode run_update(const cli::UpdateOptions& options);
[[nodiscard]] ExitCode run_audit(const cli::AuditOptions& options);
[[nodiscard]] ExitCode run_doctor(const cli::DoctorOptions& options);

} // namespace hardrun::commands
