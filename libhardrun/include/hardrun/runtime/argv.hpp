// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hardrun/base/result.hpp"

namespace hardrun::runtime {

// What the shim must know about one OCI runtime command line (runc/crun syntax:
// `[GLOBAL-FLAGS] SUBCOMMAND [FLAGS] ID [ARGS]`), parsed the way the runtimes parse it rather
// than by scanning for the word "create" (a container id or bundle named "create" must not
// confuse it: security.md H5).
enum class Action {
  harden,       // create, run: rewrite <bundle>/config.json before the runtime sees it
  exec,         // exec: check or rewrite the --process file
  delete_,      // delete: pass through, then hardrun forgets the container's secrets
  refuse,       // spawns a process in a way the shim cannot check (restore, crun --config, exec without --process)
  pass_through, // start, kill, state, list, ps, pause, resume, events, features, --version …
};

struct Invocation {
  Action action = Action::pass_through;
  std::string subcommand;          // "" when only global flags (e.g. --version)
  std::vector<std::string> argv;   // argv for the delegate: the input minus hardrun's own flags
  std::optional<std::string> bundle;   // create/run: as given (absent = cwd)
  std::optional<std::string> pid_file; // create/run
  std::optional<std::string> process;  // exec --process
  std::string container_id;            // create/run/exec/delete
  // Other subcommands: the positional arguments after the subcommand, one of which is the
  // container id (kill ID SIGNAL, start ID, state ID …).
  std::vector<std::string> positionals;
  std::string refusal;                 // why, for Action::refuse
  // hardrun's own global flags (passed by podman --runtime-flag, removed before the delegate):
  std::optional<std::string> hardrun_config;    // --hardrun-config=FILE
  std::optional<std::string> hardrun_profile;   // --hardrun-profile=NAME|FILE
  std::optional<std::string> hardrun_runtime;   // --hardrun-runtime=PATH (the delegate)
  std::optional<std::string> signature_policy;  // --hardrun-signature-policy=FILE (for the hook)
};

// Parse argv (argv[0] excluded). Errors: malformed hardrun flags, an unknown flag that might
// take a value before the subcommand (the subcommand could not be told), a missing value.
[[nodiscard]] Result<Invocation> parse_argv(const std::vector<std::string>& args);

} // namespace hardrun::runtime
