// SPDX-License-Identifier: Apache-2.0
//
// hardrun run: compose `podman run` with the hardrun runtime shim as its runtime and the
// podman flags that keep podman's own view right (user, user namespace, capabilities,
// read-only root): podman exec then defaults to the service user with no capabilities, and
// podman inspect shows what really runs. The shim enforces the profile whatever podman was
// told; these flags only keep the two in agreement.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/runtime/shim.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/spec/path.hpp"
#include "hardrun/sys/fs.hpp"
#include "hardrun/sys/secrets.hpp"
#include "hardrun/systemd/container.hpp"
#include "input.hpp"
#include "selection.hpp"

namespace hardrun::commands {
namespace {

struct Refusal {
  std::string rule;
  std::string message;
  std::string fix;
};

ExitCode
refuse(const Refusal& r)
{
  std::cerr << "hardrun run: refused: " << r.rule << ": " << r.message << (r.fix.empty() ? "" : " — " + r.fix) << '\n';
  return ExitCode::denied;
}

std::string
shell_quote(const std::string& s)
{
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%_+=:,./-") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (const char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

std::string
self_dir()
{
  std::array<char, PATH_MAX> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) {
    return "/usr/bin";
  }
  std::string p(buf.data(), static_cast<std::size_t>(n));
  return p.substr(0, p.rfind('/'));
}

// NAME -> /usr/bin/NAME (or /usr/sbin); a path stays.
Result<std::string>
resolve_runtime(const std::string& name_or_path)
{
  if (name_or_path.find('/') != std::string::npos) {
    return real_path(name_or_path, "runtime");
  }
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/usr/local/bin"}) {
    const std::string p = std::string(dir) + "/" + name_or_path;
    if (::access(p.c_str(), X_OK) == 0) {
      return p;
    }
  }
  return make_error(Errc::not_found, "runtime " + name_or_path + " not found in /usr/bin, /usr/sbin, /usr/local/bin");
}

struct Secret {
  std::string file;
  std::string name;
};

Result<Secret>
parse_secret(const std::string& spec)
{
  Secret s;
  const auto comma = spec.find(',');
  s.file = spec.substr(0, comma);
  if (comma != std::string::npos) {
    const std::string opt = spec.substr(comma + 1);
    if (opt.rfind("target=", 0) != 0 || opt.find(',') != std::string::npos) {
      return make_error(Errc::invalid_input, "--secret " + spec + ": the only option is target=NAME");
    }
    s.name = opt.substr(7);
  } else {
    const auto slash = s.file.rfind('/');
    s.name = slash == std::string::npos ? s.file : s.file.substr(slash + 1);
  }
  // X4: the target is a plain file name below /run/secrets: no "/", no "..", no NUL.
  if (s.name.empty() || s.name == "." || s.name == ".." || s.name.size() > 255 || s.name.find('/') != std::string::npos
      || s.name.find('\0') != std::string::npos || s.name[0] == '.') {
    return make_error(Errc::invalid_input, "--secret " + spec + ": target \"" + s.name +
                                             "\" must be a plain file name (it becomes /run/secrets/NAME)");
  }
  if (s.file.empty()) {
    return make_error(Errc::invalid_input, "--secret " + spec + ": no file");
  }
  return s;
}

std::string
mount_source(const std::string& spec)
{
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    for (const char* key : {"source=", "src="}) {
      if (item.rfind(key, 0) == 0) {
        return item.substr(std::strlen(key));
      }
    }
  }
  return "";
}

int
spawn_wait(const std::vector<std::string>& argv, bool quiet)
{
  std::vector<char*> cargs;
  for (const auto& a : argv) {
    cargs.push_back(const_cast<char*>(a.c_str()));
  }
  cargs.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    return -1;
  }
  if (pid == 0) {
    if (quiet) {
      const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null >= 0) {
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
      }
    }
    ::execvp(cargs[0], cargs.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return 128 + WTERMSIG(status);
}

std::string
capture(const std::vector<std::string>& argv)
{
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return "";
  }
  std::vector<char*> cargs;
  for (const auto& a : argv) {
    cargs.push_back(const_cast<char*>(a.c_str()));
  }
  cargs.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDERR_FILENO);
    }
    ::execvp(cargs[0], cargs.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  std::array<char, 4096> buf{};
  ssize_t n = 0;
  while ((n = ::read(fds[0], buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) {
      out.append(buf.data(), static_cast<std::size_t>(n));
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

} // namespace

ExitCode
run_run(const cli::RunOptions& o)
{
  if (o.image_and_command.empty()) {
    std::cerr << "hardrun run: usage: IMAGE@sha256:DIGEST is required (see hardrun run --help)\n";
    return ExitCode::usage;
  }
  const std::string& image = o.image_and_command[0];
  const std::vector<std::string> command(o.image_and_command.begin() + 1, o.image_and_command.end());

  // The image must be pinned: a tag can be moved by whoever pushes to the registry, and the
  // admission hook refuses it anyway; say how to pin it before podman does anything.
  auto ref = image::parse_reference(image);
  if (!ref) {
    return refuse({"pinned", "image reference \"" + image + "\" is invalid: " + ref.error().message, ""});
  }
  if (!ref->pinned()) {
    return refuse({"pinned", "image \"" + image + "\" is not referenced by digest",
                   "pin it: podman image inspect --format '{{.Digest}}' " + image + " (local image) or skopeo inspect --format "
                     "'{{.Digest}}' docker://" + image + " (registry), then run " + ref->name() + "@sha256:…"});
  }

  auto selected = select_config_and_profile(o.config, o.policy);
  if (!selected) {
    return report_error(selected.error());
  }
  const bool explicit_config = selected->explicit_config;
  const std::string& config_file = selected->config_file;
  const config::Config* cfg = &selected->config;
  const std::string& profile = selected->profile;
  const LoadedPolicy* loaded = &selected->loaded;
  const policy::Policy& pol = loaded->policy;

  // Service user: never root (R16), default the profile's.
  std::uint32_t uid = pol.uid;
  std::uint32_t gid = pol.gid;
  if (!o.user.empty()) {
    const auto colon = o.user.find(':');
    const std::string u = o.user.substr(0, colon);
    const std::string g = colon == std::string::npos ? "" : o.user.substr(colon + 1);
    auto num = [](const std::string& s) -> std::optional<std::uint32_t> {
      if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
      }
      const auto v = std::stoull(s);
      return v > 0xffffffffULL ? std::nullopt : std::optional<std::uint32_t>(static_cast<std::uint32_t>(v));
    };
    const auto nu = num(u);
    const auto ng = g.empty() ? std::optional<std::uint32_t>(gid) : num(g);
    if (!nu || !ng) {
      std::cerr << "hardrun run: usage: --user takes numeric UID[:GID]\n";
      return ExitCode::usage;
    }
    uid = *nu;
    gid = *ng;
  }
  if (uid == 0 || gid == 0) {
    return refuse({"non-root-user", "--user " + o.user + " runs as root", "use a service uid/gid other than 0"});
  }
  if (o.network == "host") {
    return refuse({"no-host-namespaces", "--network host shares the host's network namespace", "use the default network or -p"});
  }
  for (const auto& v : o.volumes) {
    const std::string src = v.substr(0, v.find(':'));
    if (const auto bad = check::sensitive_overlap(pol, src)) {
      return refuse({"no-sensitive-mounts", "-v " + v + " binds host path " + src + " (sensitive: " + *bad + ")",
                     "bind a dedicated directory instead"});
    }
  }
  for (const auto& m : o.mounts) {
    if (const auto bad = check::sensitive_overlap(pol, mount_source(m))) {
      return refuse({"no-sensitive-mounts", "--mount " + m + " binds a sensitive host path (" + *bad + ")",
                     "bind a dedicated directory instead"});
    }
  }
  std::vector<Secret> secrets;
  for (const auto& spec : o.secrets) {
    auto s = parse_secret(spec);
    if (!s) {
      return report_error(s.error());
    }
    for (const auto& other : secrets) {
      if (other.name == s->name) {
        return refuse({"secrets", "two secrets target /run/secrets/" + s->name, "give one of them target=OTHER"});
      }
    }
    secrets.push_back(std::move(*s));
  }

  const std::string shim = self_dir() + "/hardrun-runtime";
  const std::string name = o.name.empty() ? "hardrun-" + sys::random_token().substr(0, 12) : o.name;
  std::vector<std::string> args = {"podman", "run", "--runtime", shim};
  if (explicit_config) {
    args.insert(args.end(), {"--runtime-flag", "hardrun-config=" + config_file});
  }
  if (!o.policy.empty()) {
    args.insert(args.end(), {"--runtime-flag", "hardrun-profile=" + profile});
  }
  if (!o.runtime.empty()) {
    auto rt = resolve_runtime(o.runtime);
    if (!rt) {
      return report_error(rt.error());
    }
    args.insert(args.end(), {"--runtime-flag", "hardrun-runtime=" + *rt});
  }
  if (!o.signature_policy.empty()) {
    auto sp = real_path(o.signature_policy, "signature policy");
    if (!sp) {
      return report_error(sp.error());
    }
    args.insert(args.end(), {"--runtime-flag", "hardrun-signature-policy=" + *sp});
  }
  args.insert(args.end(), {"--name", name});
  // The same composition as hardrun quadlet's keys (systemd/container.hpp); the seccomp profile
  // by absolute path, as podman resolves it relative to its own working directory.
  auto hardening = systemd::compose_hardening(pol, loaded->allocation, uid, gid, o.userns);
  if (!hardening.seccomp.empty()) {
    auto sp = real_path(hardening.seccomp, "seccomp profile");
    hardening.seccomp = sp ? *sp : hardening.seccomp;
  }
  const auto flags = systemd::podman_flags(hardening);
  args.insert(args.end(), flags.begin(), flags.end());
  for (const auto& e : o.env) {
    args.insert(args.end(), {"--env", e});
  }
  for (const auto& v : o.volumes) {
    args.insert(args.end(), {"--volume", v});
  }
  for (const auto& m : o.mounts) {
    args.insert(args.end(), {"--mount", m});
  }
  for (const auto& p : o.publish) {
    args.insert(args.end(), {"--publish", p});
  }
  if (!o.network.empty()) {
    args.push_back("--network=" + o.network);
  }
  for (const auto& t : o.tmpfs) {
    args.insert(args.end(), {"--tmpfs", t});
  }
  if (o.detach) {
    args.push_back("--detach");
  }
  if (o.rm) {
    args.push_back("--rm");
  }
  const std::size_t secret_args_at = args.size();
  std::string stage;
  for (const auto& s : secrets) {
    args.insert(args.end(), {"--mount", "type=bind,source=" + cfg->secrets_dir + "/stage-…/" + s.name + ",destination=/run/secrets/" +
                                          s.name + ",ro=true"});
  }
  args.push_back(image);
  args.insert(args.end(), command.begin(), command.end());

  if (o.dry_run) {
    std::string tmpfs;
    for (const auto& t : pol.tmpfs) {
      tmpfs += (tmpfs.empty() ? "" : ", ") + t.path;
    }
    const std::string cmdline = [&] {
      std::string line;
      for (const auto& a : args) {
        line += (line.empty() ? "" : " ") + shell_quote(a);
      }
      return line;
    }();
    if (o.json) {
      spec::Json j{{"podman", args},
                   {"profile", pol.source},
                   {"config", cfg->source},
                   {"image", image},
                   {"user", {{"uid", uid}, {"gid", gid}}},
                   {"capabilities", pol.allowed_capabilities},
                   {"tmpfs", tmpfs},
                   {"secrets", spec::Json::array()}};
      for (const auto& s : secrets) {
        j["secrets"].push_back({{"file", s.file}, {"target", "/run/secrets/" + s.name}});
      }
      std::cout << j.dump(2) << '\n';
    } else {
      std::cout << cmdline << '\n'
                << "# the runtime shim will enforce on the generated config.json (profile " << pol.name << "):\n"
                << "#   read-only root, writable tmpfs only at " << (tmpfs.empty() ? "(none)" : tmpfs) << '\n'
                << "#   capabilities: " << (pol.allowed_capabilities.empty() ? std::string("none") : [&] {
                     std::string c;
                     for (const auto& x : pol.allowed_capabilities) {
                       c += (c.empty() ? "" : ",") + x;
                     }
                     return c;
                   }()) << " in every set; noNewPrivileges\n"
                << "#   process uid:gid " << uid << ":" << gid << " in a user namespace, seccomp " << pol.seccomp_path << '\n';
      for (const auto& s : secrets) {
        std::cout << "#   secret " << s.file << " -> /run/secrets/" << s.name << " (0400, uid " << uid << ", tmpfs, read-only)\n";
      }
      std::cout << "# nothing started (--dry-run)\n";
    }
    return ExitCode::ok;
  }

  // Secrets: read and check every source first (nothing staged when one is refused), then copy
  // them to the tmpfs stage the shim claims on create.
  std::vector<std::string> contents;
  for (const auto& s : secrets) {
    auto bytes = sys::read_secret_source(s.file);
    if (!bytes) {
      return refuse({"secrets", bytes.error().what(), ""});
    }
    contents.push_back(std::move(*bytes));
  }
  if (!secrets.empty()) {
    if (auto root = sys::ensure_secret_root(cfg->secrets_dir, true); !root) {
      return refuse({"secrets", root.error().what(), "set secretsDir in hardrun.json to a tmpfs directory"});
    }
    auto dir = sys::create_stage(cfg->secrets_dir);
    if (!dir) {
      return report_error(dir.error());
    }
    stage = *dir;
    for (std::size_t i = 0; i < secrets.size(); ++i) {
      auto w = sys::write_staged(stage, secrets[i].name, contents[i]);
      // The copy in memory is not needed any more.
      ::explicit_bzero(contents[i].data(), contents[i].size());
      if (!w) {
        (void)sys::remove_secret_dir(stage);
        return report_error(w.error());
      }
      args[secret_args_at + 2 * i + 1] =
        "type=bind,source=" + stage + "/" + secrets[i].name + ",destination=/run/secrets/" + secrets[i].name + ",ro=true";
    }
  }

  // Signals go to podman (same process group for ^C); hardrun waits for it.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  const int rc = spawn_wait(args, false);
  if (!stage.empty()) {
    // Claimed files moved to the container's own directory; whatever is left was never used.
    (void)sys::remove_secret_dir(stage);
  }
  if (rc != 0) {
    // R7: a container whose start was refused (by the shim or the hook) must not stay Created
    // for a later `podman start` without hooks to run (security.md E10-E12).
    const std::string state = capture({"podman", "container", "inspect", "--format", "{{.State.Status}}", name});
    const std::string started = capture({"podman", "container", "inspect", "--format", "{{.State.StartedAt.IsZero}}", name});
    if (!state.empty() && state != "running" && (started == "true" || state == "created" || state == "configured")) {
      const int rm = spawn_wait({"podman", "rm", "--force", name}, true);
      std::cerr << "hardrun run: container " << name << " did not start (podman exit " << rc << ")"
                << (rm == 0 ? "; removed it" : "; could not remove it: podman rm --force " + name) << '\n';
    }
  }
  if (rc < 0) {
    std::cerr << "hardrun run: error: cannot start podman: " << std::strerror(errno) << '\n';
    return ExitCode::system_error;
  }
  // podman's own status passes through: the container's exit code, or 125-127 for podman errors.
  return static_cast<ExitCode>(rc);
}

} // namespace hardrun::commands
