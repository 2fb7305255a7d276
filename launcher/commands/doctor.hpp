// SPDX-License-Identifier: Apache-2.0
// hardrun doctor's report and its canary (doctor.cpp, doctor_canary.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hardrun/config/config.hpp"

namespace hardrun::commands {

enum class CheckStatus { ok, fail, warn, skip };

struct DoctorCheck {
  std::string name;
  CheckStatus status = CheckStatus::fail;
  std::string detail;
  std::string fix;
};

struct DoctorReport {
  std::vector<DoctorCheck> checks;
  void add(std::string name, CheckStatus status, std::string detail, std::string fix);
  [[nodiscard]] bool failed() const;
};

[[nodiscard]] std::string_view status_name(CheckStatus s);

// Why `path` is not a regular, root-owned file others cannot write ("" when it is fine).
[[nodiscard]] std::string file_problem(const std::string& path, bool executable);

struct CanaryInputs {
  config::Config config;
  std::string config_file;   // the hardrun.json in force ("" = built-in defaults)
  std::string shim;          // podman --runtime value for the shim: "hardrun" or a path
  std::string delegate;      // the real runtime ("" = none found: the hook canary is skipped)
  std::string canary_binary; // override of the installed hardrun-canary
};

// Imports a one-file image into private storage below a temporary directory, then proves
// (a) the shim rewrites: the canary runs through it with non-root uid, no capabilities,
//     no_new_privs, seccomp filter mode and a read-only root;
// (b) the hooks.d hook fires: run with the real runtime directly (no shim), hardrun-hook denies.
// Everything it creates is removed on every path; each podman call is bounded in time.
void run_canary(DoctorReport& report, const CanaryInputs& in);

} // namespace hardrun::commands
