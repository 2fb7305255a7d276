// SPDX-License-Identifier: Apache-2.0
#include "input.hpp"

#include <unistd.h>

#include <iostream>

#include "hardrun/engine/harden.hpp"

namespace hardrun::commands {

Result<ConfigInput>
load_config(const std::string& bundle, const std::string& file)
{
  if (bundle.empty() && file.empty()) {
    return make_error(Errc::invalid_input, "no config given: use --bundle DIR or a FILE (- for standard input)");
  }
  if (file == "-") {
    HARDRUN_TRY_ASSIGN(text, sys::read_fd(STDIN_FILENO, spec::k_max_config_bytes, "standard input"));
    HARDRUN_TRY_ASSIGN(doc, spec::Document::parse(text, "<stdin>"));
    return ConfigInput{std::move(doc), "-", std::nullopt, std::nullopt};
  }
  const std::string path = bundle.empty() ? file : bundle + "/config.json";
  HARDRUN_TRY_ASSIGN(loaded, sys::read_file(path, sys::ReadOptions{spec::k_max_config_bytes, true, true, false}));
  HARDRUN_TRY_ASSIGN(doc, spec::Document::parse(loaded.bytes, path));
  std::optional<std::string> id;
  if (!bundle.empty()) {
    id = engine::container_id_of_bundle(bundle);
  }
  return ConfigInput{std::move(doc), path, loaded.identity, std::move(id)};
}

Result<LoadedPolicy>
load_policy(const std::string& name_or_path)
{
  HARDRUN_TRY_ASSIGN(policy, policy::load(name_or_path));
  const sys::LinuxEnv env;
  auto allocation = policy::resolve_allocation(policy, env);
  if (!allocation) {
    return Unexpected(std::move(allocation).error().with_context("profile " + policy.name));
  }
  return LoadedPolicy{std::move(policy), std::move(*allocation)};
}

ExitCode
report_error(const Error& error)
{
  std::cerr << "hardrun: error: " << error.what() << '\n';
  return exit_code_of(error);
}

} // namespace hardrun::commands
