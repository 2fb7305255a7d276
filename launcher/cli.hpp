// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

namespace hardrun::cli {

struct HardenOptions {
  std::string policy = "strict";
  std::string bundle;
  std::string in;
  std::string out;
  bool dry_run = false;
  bool json = false;
};

struct CheckOptions {
  std::string policy = "strict";
  std::string bundle;
  std::string file;
  bool json = false;
};

struct VersionOptions {};

using Command = std::variant<std::monostate, HardenOptions, CheckOptions>;

// The whole command line of `hardrun`, as CLI11 objects filling option structs. Kept apart from
// main() so tests can parse argv vectors and walk the definition (man page and completion tests).
class Cli {
public:
  Cli();
  [[nodiscard]] CLI::App& app() { return *m_app; }
  // The subcommand that was parsed, with its options; monostate when none was.
  [[nodiscard]] Command command() const;

private:
  std::unique_ptr<CLI::App> m_app;
  HardenOptions m_harden;
  CheckOptions m_check;
  CLI::App* m_harden_cmd = nullptr;
  CLI::App* m_check_cmd = nullptr;
};

} // namespace hardrun::cli
