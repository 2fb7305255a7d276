// SPDX-License-Identifier: Apache-2.0
//
// hardrun-runtime: the OCI runtime shim (hardrun-runtime(1)). podman (or CRI-O) calls it as
// its runtime; on create/run it hardens <bundle>/config.json with the same engine as
// `hardrun harden`, binds the container's secrets, makes sure the admission hook is in the
// config, validates, writes atomically, and only then execv()s the real runtime with the same
// argv (minus hardrun's own --hardrun-* flags). exec --process files are checked the same way.
// Any error: the real runtime is never started, config.json is left byte-identical.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands/input.hpp"
#include "hardrun/base/exit_code.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/engine/harden.hpp"
#include "hardrun/runtime/argv.hpp"
#include "hardrun/runtime/shim.hpp"
#include "hardrun/spec/document.hpp"
#include "hardrun/spec/path.hpp"
#include "hardrun/sys/fs.hpp"
#include "hardrun/sys/journal.hpp"
#include "hardrun/sys/secrets.hpp"

namespace hardrun::shim {
namespace {

constexpr const char* k_prog = "hardrun-runtime";
// MESSAGE_ID of the shim's refusals in the journal (journalctl MESSAGE_ID=…).
constexpr const char* k_message_id = "MESSAGE_ID=5d1c6f0e2a8b4c39a7e4b1f08c2d9e63";

// One line on stderr (podman shows it in its error) and a structured journal entry. libsystemd
// is loaded only here, on a refusal, and only when journald listens (sys/journal.hpp): an
// admitted create never maps it.
void
refuse_line(const std::string& container_id, const std::string& rule, const std::string& message, const std::string& fix)
{
  const sys::Journal journal = sys::open_journal_if_listening();
  std::cerr << k_prog << ": refused: " << rule << ": " << message << (fix.empty() ? "" : " — " + fix)
            << (journal.error.empty() ? "" : " (no journal entry: " + journal.error + ")") << '\n';
  if (journal.send != nullptr) {
    journal.send("MESSAGE=%s: refused: %s: %s", k_prog, rule.c_str(), message.c_str(), k_message_id, "PRIORITY=4",
                 "HARDRUN_COMPONENT=runtime", "HARDRUN_VERDICT=deny", "HARDRUN_RULE=%s", rule.c_str(),
                 "HARDRUN_CONTAINER_ID=%s", container_id.c_str(), nullptr);
  }
}

ExitCode
fail(const std::string& container_id, const Error& e)
{
  refuse_line(container_id, "error", e.what(), "");
  return exit_code_of(e);
}

// The real runtime: hardrun.json "runtime", --hardrun-runtime, else crun then runc from the
// system directories. Never from PATH: the caller's environment is not trusted (E7).
Result<std::string>
resolve_delegate(const config::Config& cfg, const runtime::Invocation& inv)
{
  std::vector<std::string> candidates;
  if (inv.hardrun_runtime) {
    candidates.push_back(*inv.hardrun_runtime);
  } else if (!cfg.runtime.empty()) {
    candidates.push_back(cfg.runtime);
  } else {
    for (const char* name : {"crun", "runc"}) {
      for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"}) {
        candidates.push_back(std::string(dir) + "/" + name);
      }
    }
  }
  struct stat self{};
  const bool have_self = ::stat("/proc/self/exe", &self) == 0;
  std::string tried;
  for (const auto& c : candidates) {
    if (!spec::is_clean_absolute(c)) {
      return make_error(Errc::invalid_input, "runtime " + c + " is not an absolute path");
    }
    struct stat st{};
    if (::stat(c.c_str(), &st) != 0) {
      tried += (tried.empty() ? "" : ", ") + c;
      continue;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
      return make_error(Errc::invalid_input, "runtime " + c + " is not an executable file");
    }
    // Threat: a runtime binary others can replace runs every container as root.
    if (st.st_uid != 0 || (st.st_mode & 022) != 0) {
      return make_error(Errc::insecure, "runtime " + c + " must be owned by root and not writable by others");
    }
    if (have_self && st.st_dev == self.st_dev && st.st_ino == self.st_ino) {
      return make_error(Errc::invalid_input, "runtime " + c + " is hardrun-runtime itself (a loop)");
    }
    return c;
  }
  return make_error(Errc::not_found, "no runtime found (tried " + tried + "); set \"runtime\" in hardrun.json or --runtime");
}

[[noreturn]] void
exec_delegate(const std::string& delegate, const runtime::Invocation& inv)
{
  std::vector<std::string> args;
  args.push_back(delegate);
  args.insert(args.end(), inv.argv.begin(), inv.argv.end());
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  ::execv(delegate.c_str(), argv.data());
  const int err = errno;
  std::cerr << k_prog << ": error: execute " << delegate << ": " << std::strerror(err) << '\n';
  std::_Exit(to_int(ExitCode::system_error));
}

// The bundle: absolute, no symlink in any component, no "..": what podman passed and what runc
// will open must be the same directory (security.md R9).
Result<std::string>
resolve_bundle(const runtime::Invocation& inv)
{
  std::string bundle;
  if (inv.bundle) {
    bundle = *inv.bundle;
    if (bundle.empty() || bundle[0] != '/') {
      return make_error(Errc::insecure, "bundle path \"" + bundle + "\" is relative; pass an absolute --bundle");
    }
  } else {
    std::array<char, PATH_MAX> cwd{};
    if (::getcwd(cwd.data(), cwd.size()) == nullptr) {
      return make_sys_error(errno, "getcwd (no --bundle given)");
    }
    bundle = cwd.data();
  }
  while (bundle.size() > 1 && bundle.back() == '/') {
    bundle.pop_back();
  }
  char* real = ::realpath(bundle.c_str(), nullptr);
  if (real == nullptr) {
    return make_sys_error(errno, "bundle " + bundle);
  }
  const std::string resolved(real);
  std::free(real);
  if (resolved != bundle) {
    return make_error(Errc::insecure, "bundle path " + bundle + " goes through a symlink or .. (resolves to " + resolved +
                                        "); pass the real path");
  }
  return bundle;
}

// What a container was created with. podman passes --runtime-flag only on the invocation that
// had it (`podman run`), not to the cleanup process that calls delete, nor to a later `podman
// start`; so the shim records its selection per container id and later calls use it.
constexpr const char* k_state_dir = "/run/hardrun/containers";

std::string
record_path(const std::string& id)
{
  return std::string(k_state_dir) + "/" + id + ".json";
}

bool
valid_id(const std::string& id)
{
  return !id.empty() && id.size() <= 128
         && id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.-") == std::string::npos
         && id[0] != '.';
}

void
apply_record(runtime::Invocation& inv)
{
  if (inv.hardrun_config || inv.hardrun_profile || inv.hardrun_runtime || inv.signature_policy) {
    return;
  }
  std::vector<std::string> ids;
  if (!inv.container_id.empty()) {
    ids.push_back(inv.container_id);
  } else {
    ids = inv.positionals;
  }
  std::optional<sys::LoadedFile> file;
  std::string path;
  for (const auto& id : ids) {
    if (!valid_id(id)) {
      continue;
    }
    path = record_path(id);
    if (auto f = sys::read_file(path, sys::ReadOptions{64U << 10U, true, true, true})) {
      file = std::move(*f);
      break;
    }
  }
  if (!file) {
    return;
  }
  auto j = spec::parse_strict(file->bytes, path, spec::ParseLimits{64U << 10U, 8});
  if (!j) {
    return;
  }
  auto take = [&](const char* key, std::optional<std::string>& slot) {
    if (const auto it = j->find(key); it != j->end() && it->is_string()) {
      slot = it->get<std::string>();
    }
  };
  take("config", inv.hardrun_config);
  take("profile", inv.hardrun_profile);
  take("runtime", inv.hardrun_runtime);
  take("signaturePolicy", inv.signature_policy);
}

void
write_record(const runtime::Invocation& inv, const std::string& bundle)
{
  if (!valid_id(inv.container_id)) {
    return;
  }
  spec::Json j = spec::Json::object();
  j["bundle"] = bundle;
  if (inv.hardrun_config) {
    j["config"] = *inv.hardrun_config;
  }
  if (inv.hardrun_profile) {
    j["profile"] = *inv.hardrun_profile;
  }
  if (inv.hardrun_runtime) {
    j["runtime"] = *inv.hardrun_runtime;
  }
  if (inv.signature_policy) {
    j["signaturePolicy"] = *inv.signature_policy;
  }
  ::mkdir("/run/hardrun", 0711);
  ::mkdir(k_state_dir, 0700);
  sys::WriteOptions wo;
  wo.mode = 0600;
  if (auto w = sys::atomic_write(record_path(inv.container_id), j.dump() + "\n", wo); !w) {
    std::cerr << k_prog << ": warning: " << w.error().what() << '\n';
  }
}

// Records of containers whose bundle is gone (removed containers). Run on delete, not on create:
// it reads every record, which a create (on the start path of every container) should not pay
// for. The record of the container being deleted goes on a later delete, once podman has
// removed its bundle.
void
sweep_records()
{
  DIR* d = ::opendir(k_state_dir);
  if (d == nullptr) {
    return;
  }
  std::vector<std::string> stale;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n.size() < 6 || n.substr(n.size() - 5) != ".json") {
      continue;
    }
    const std::string path = std::string(k_state_dir) + "/" + n;
    auto file = sys::read_file(path, sys::ReadOptions{64U << 10U, true, true, true});
    if (!file) {
      continue;
    }
    auto j = spec::parse_strict(file->bytes, path, spec::ParseLimits{64U << 10U, 8});
    if (!j || !j->contains("bundle") || !(*j)["bundle"].is_string()) {
      continue;
    }
    struct stat st{};
    if (::stat((*j)["bundle"].get<std::string>().c_str(), &st) != 0 && errno == ENOENT) {
      stale.push_back(path);
    }
  }
  ::closedir(d);
  for (const auto& p : stale) {
    ::unlink(p.c_str());
  }
}

struct Loaded {
  config::Config cfg;
  std::string cfg_file; // "" = built-in defaults
};

Result<Loaded>
load_hardrun_config(const runtime::Invocation& inv)
{
  const bool explicit_path = inv.hardrun_config.has_value();
  const std::string path = explicit_path ? *inv.hardrun_config : config::default_path();
  HARDRUN_TRY_ASSIGN(cfg, config::load(path, explicit_path));
  std::string file = cfg.source == "built-in defaults" ? "" : path;
  return Loaded{std::move(cfg), std::move(file)};
}

ExitCode
do_create(const runtime::Invocation& inv, const Loaded& loaded, const std::string& delegate)
{
  const auto& cfg = loaded.cfg;
  auto bundle = resolve_bundle(inv);
  if (!bundle) {
    return fail(inv.container_id, bundle.error());
  }
  auto policy = commands::load_policy(inv.hardrun_profile.value_or(cfg.profile));
  if (!policy) {
    return fail(inv.container_id, policy.error());
  }
  const std::string path = *bundle + "/config.json";
  // R9: root-owned, not writable by others, no symlink, one link, size-capped.
  auto file = sys::read_file(path, sys::ReadOptions{4U << 20U, true, true, true});
  if (!file) {
    return fail(inv.container_id, file.error());
  }
  auto doc = spec::Document::parse(file->bytes, path);
  if (!doc) {
    return fail(inv.container_id, doc.error());
  }
  // The id podman put in the bundle path must be the id being created: a config from another
  // container's bundle must not be run under this id.
  const auto bundle_id = engine::container_id_of_bundle(*bundle);
  if (bundle_id && *bundle_id != inv.container_id) {
    refuse_line(inv.container_id, "bundle", "bundle " + *bundle + " belongs to container " + *bundle_id, "");
    return ExitCode::denied;
  }
  const std::string secrets_dir = runtime::container_secrets_dir(cfg.secrets_dir, inv.container_id);
  const runtime::HookSpec hook = runtime::hook_spec(cfg, loaded.cfg_file, inv.signature_policy);
  const runtime::InjectHook inject(hook);
  const runtime::BindSecrets bind(cfg.secrets_dir, inv.container_id);
  // Before the rewrite: which mounts are secrets, and where they come from.
  const auto secret_mounts = runtime::find_secret_mounts(doc->json(), cfg.secrets_dir, inv.container_id);

  engine::Extras extras;
  extras.modifiers.push_back(&bind);
  if (cfg.inject_hook) {
    extras.modifiers.push_back(&inject);
  }
  const bool require_hook = cfg.require_hook;
  const std::string hook_path = cfg.hook_path;
  extras.checks = [&](const spec::Json& c) {
    auto findings = runtime::check_hooks(c, hook_path, require_hook);
    if (cfg.inject_hook && require_hook) {
      // An injected hook whose binary is missing would fail open in hooks.d terms (E5); here
      // the runtime would fail the create, but say why first.
      struct stat st{};
      if (::stat(hook_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0) {
        findings.push_back(check::Finding{"admission-hook", "/hooks/prestart",
                                          "hook binary " + hook_path + " is missing, not root-owned or writable by others",
                                          "install hardrun-hook there, or set hookPath in hardrun.json"});
      }
    }
    return findings;
  };
  const modify::Context ctx{policy->policy, policy->allocation};
  auto outcome = engine::harden(*doc, ctx, check::Options{bundle_id ? bundle_id : std::optional<std::string>(inv.container_id), secrets_dir}, extras);
  if (!outcome) {
    return fail(inv.container_id, outcome.error());
  }
  if (!outcome->findings.empty()) {
    for (const auto& f : outcome->findings) {
      refuse_line(inv.container_id, f.rule, path + " " + f.pointer + ": " + f.message, f.remedy);
    }
    return ExitCode::denied;
  }
  if (!secret_mounts.empty()) {
    const auto owner = runtime::host_owner_of_process(doc->json());
    if (!owner) {
      refuse_line(inv.container_id, "secrets", "the process user is not mapped by the user namespace", "");
      return ExitCode::denied;
    }
    if (auto root = sys::ensure_secret_root(cfg.secrets_dir, false); !root) {
      return fail(inv.container_id, root.error());
    }
    std::vector<sys::SecretToClaim> claims;
    for (const auto& s : secret_mounts) {
      claims.push_back({s.source, s.name});
    }
    if (auto claimed = sys::claim_secrets(cfg.secrets_dir, inv.container_id, claims, owner->uid, owner->gid); !claimed) {
      return fail(inv.container_id, claimed.error());
    }
  }
  if (!outcome->changes.empty()) {
    sys::WriteOptions wo;
    wo.replaces = file->identity;
    if (auto written = sys::atomic_write(path, outcome->output, wo); !written) {
      return fail(inv.container_id, written.error());
    }
  }
  write_record(inv, *bundle);
  sys::sweep_stages(cfg.secrets_dir, std::chrono::seconds(600));
  exec_delegate(delegate, inv);
}

ExitCode
do_exec(const runtime::Invocation& inv, const Loaded& loaded, const std::string& delegate)
{
  const std::string& path = *inv.process;
  if (path.empty() || path[0] != '/') {
    refuse_line(inv.container_id, "exec", "--process path \"" + path + "\" is relative", "");
    return ExitCode::denied;
  }
  auto policy = commands::load_policy(inv.hardrun_profile.value_or(loaded.cfg.profile));
  if (!policy) {
    return fail(inv.container_id, policy.error());
  }
  auto file = sys::read_file(path, sys::ReadOptions{1U << 20U, true, true, true});
  if (!file) {
    return fail(inv.container_id, file.error());
  }
  auto json = spec::parse_strict(file->bytes, path, spec::ParseLimits{1U << 20U, 64});
  if (!json) {
    return fail(inv.container_id, json.error());
  }
  auto outcome = runtime::harden_process(*json, policy->policy);
  if (!outcome) {
    return fail(inv.container_id, std::move(outcome).error().with_context(path));
  }
  if (!outcome->findings.empty()) {
    for (const auto& f : outcome->findings) {
      refuse_line(inv.container_id, f.rule, path + " " + f.pointer + ": " + f.message, f.remedy);
    }
    return ExitCode::denied;
  }
  if (!outcome->changes.empty()) {
    sys::WriteOptions wo;
    wo.replaces = file->identity;
    if (auto written = sys::atomic_write(path, spec::serialize(*json, spec::detect_layout(file->bytes)), wo); !written) {
      return fail(inv.container_id, written.error());
    }
  }
  exec_delegate(delegate, inv);
}

int
run(int argc, char** argv)
{
  std::vector<std::string> args(argv + 1, argv + argc);
  auto inv = runtime::parse_argv(args);
  if (!inv) {
    refuse_line("", "usage", inv.error().what(), "");
    return to_int(ExitCode::usage);
  }
  apply_record(*inv);
  auto loaded = load_hardrun_config(*inv);
  if (!loaded) {
    return to_int(fail(inv->container_id, loaded.error()));
  }
  auto delegate = resolve_delegate(loaded->cfg, *inv);
  if (!delegate) {
    return to_int(fail(inv->container_id, delegate.error()));
  }
  switch (inv->action) {
  case runtime::Action::refuse:
    refuse_line(inv->container_id, "unsupported", inv->refusal, "");
    return to_int(ExitCode::denied);
  case runtime::Action::harden:
    return to_int(do_create(*inv, *loaded, *delegate));
  case runtime::Action::exec:
    return to_int(do_exec(*inv, *loaded, *delegate));
  case runtime::Action::delete_:
    // The container's secrets end with its run; the real delete follows. A failure to remove
    // them is reported but does not keep podman from cleaning up the container.
    if (auto removed = sys::remove_secret_dir(runtime::container_secrets_dir(loaded->cfg.secrets_dir, inv->container_id));
        !removed) {
      std::cerr << k_prog << ": warning: " << removed.error().what() << '\n';
    }
    sweep_records();
    exec_delegate(*delegate, *inv);
  case runtime::Action::pass_through:
    exec_delegate(*delegate, *inv);
  }
  return to_int(ExitCode::internal);
}

} // namespace
} // namespace hardrun::shim

int
main(int argc, char** argv)
{
  try {
    return hardrun::shim::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hardrun-runtime: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "hardrun-runtime: internal error\n";
  }
  return hardrun::to_int(hardrun::ExitCode::internal);
}
