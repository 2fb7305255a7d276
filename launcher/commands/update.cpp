// SPDX-License-Identifier: Apache-2.0
//
// hardrun update [UNIT…]: keep quadlet units that track a tag on its newest signed digest
// (hardrun-quadlet(7)). podman auto-update needs tag references and rolls back by re-tagging;
// here the unit stays pinned by digest and only a digest the trust policy admits (the hook's
// own decision) is ever pinned: resolve tag -> digest (skopeo, so auth.json, registries.conf and
// mirrors apply), pull by digest, decide, write the pin drop-in atomically, daemon-reload,
// restart, wait for active and healthy, and roll back to the previous pin when it is not.
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "admission.hpp"
#include "commands.hpp"
#include "hardrun/config/config.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/fs.hpp"
#include "hardrun/systemd/container.hpp"
#include "hardrun/systemd/pins.hpp"
#include "hardrun/systemd/unit_file.hpp"
#include "input.hpp"
#include "update_systemd.hpp"

extern char** environ;

namespace hardrun::commands {
namespace {

using systemd::PinState;

struct Output {
  int status = -1; // exit status, -1 when it could not run
  std::string out;
  std::string err;
};

// Run argv (PATH lookup), collect stdout and stderr (each capped at 1 MiB).
Output
run_capture(const std::vector<std::string>& argv)
{
  Output o;
  std::array<int, 2> out{};
  std::array<int, 2> err{};
  if (::pipe2(out.data(), O_CLOEXEC) != 0) {
    return o;
  }
  if (::pipe2(err.data(), O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return o;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  ::close(err[1]);
  // Read both pipes alternately by polling; outputs here are small (a digest, podman's errors).
  for (auto [fd, dst] : {std::pair{out[0], &o.out}, std::pair{err[0], &o.err}}) {
    std::array<char, 4096> buf{};
    ssize_t n = 0;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0 || (n < 0 && errno == EINTR)) {
      if (n > 0 && dst->size() < (1U << 20U)) {
        dst->append(buf.data(), static_cast<std::size_t>(n));
      }
    }
    ::close(fd);
  }
  if (rc != 0) {
    o.err = std::string("cannot run ") + argv[0] + ": " + std::strerror(rc);
    o.status = rc == ENOENT ? 127 : -1;
    return o;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

std::string
last_line(std::string s)
{
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  const auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

std::int64_t
now()
{
  return static_cast<std::int64_t>(std::time(nullptr));
}

struct UnitRef {
  std::string name; // NAME (NAME.container -> NAME.service)
  std::string dir;  // the directory holding NAME.container
  [[nodiscard]] std::string file() const { return dir + "/" + name + ".container"; }
  [[nodiscard]] std::string dropin_dir() const { return dir + "/" + name + ".container.d"; }
  [[nodiscard]] std::string pin_file() const { return dropin_dir() + "/" + systemd::k_pin_dropin; }
  [[nodiscard]] std::string service() const { return name + ".service"; }
};

// NAME.container files of the search dirs; the first directory that has a name wins, as in
// quadlet's own search order.
std::vector<UnitRef>
find_units(const std::vector<std::string>& dirs)
{
  std::vector<UnitRef> units;
  for (const auto& dir : dirs) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      continue;
    }
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 10 && n.substr(n.size() - 10) == ".container" && n[0] != '.') {
        names.push_back(n.substr(0, n.size() - 10));
      }
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      if (std::none_of(units.begin(), units.end(), [&](const UnitRef& u) { return u.name == n; })) {
        units.push_back({n, dir});
      }
    }
  }
  return units;
}

// The unit with its drop-ins merged in quadlet's order (NAME.container.d/*.conf by name).
Result<systemd::UnitFile>
load_merged(const UnitRef& u)
{
  HARDRUN_TRY_ASSIGN(unit, systemd::load_unit(u.file()));
  std::vector<std::string> confs;
  if (DIR* d = ::opendir(u.dropin_dir().c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 5 && n.substr(n.size() - 5) == ".conf" && n[0] != '.') {
        confs.push_back(n);
      }
    }
    ::closedir(d);
  }
  std::sort(confs.begin(), confs.end());
  for (const auto& c : confs) {
    HARDRUN_TRY_ASSIGN(dropin, systemd::load_unit(u.dropin_dir() + "/" + c));
    systemd::merge_dropin(unit, dropin);
  }
  return unit;
}

struct Outcome {
  std::string unit;
  std::string track;
  std::string current;   // image the unit ran
  std::string candidate; // image the tag resolved to
  std::string action;    // up-to-date, would-update, updated, refused, rolled-back, error
  std::string reason;
  ExitCode code = ExitCode::ok;
};

class Updater {
public:
  Updater(const cli::UpdateOptions& o, config::Config cfg) : m_o(o), m_cfg(std::move(cfg))
  {
    m_pin_dir = o.pin_dir.empty() ? systemd::k_default_pin_dir : o.pin_dir;
  }

  Outcome update(const UnitRef& u);

private:
  const cli::UpdateOptions& m_o;
  config::Config m_cfg;
  std::string m_pin_dir;
  std::optional<update_sd::Manager> m_manager;

  Outcome& fail(Outcome& out, ExitCode code, const std::string& action, const std::string& step, const std::string& reason,
                const std::string& digest = "")
  {
    out.code = code;
    out.action = action;
    out.reason = reason;
    update_sd::log_step(code == ExitCode::denied ? LOG_WARNING : LOG_ERR, out.unit, digest, step, reason);
    return out;
  }

  [[nodiscard]] std::string history_path(const std::string& name) const { return m_pin_dir + "/" + name + ".json"; }

  Result<systemd::PinHistory> load_history(const UnitRef& u, const std::string& track)
  {
    sys::ReadOptions ro;
    ro.max_bytes = 4U << 20U;
    auto f = sys::read_file(history_path(u.name), ro);
    if (!f) {
      if (f.error().code == Errc::not_found || f.error().sys_errno == ENOENT) {
        return systemd::PinHistory{u.service(), track, {}};
      }
      return tl::unexpected(std::move(f).error());
    }
    return systemd::parse_pins(f->bytes, history_path(u.name));
  }

  Result<void> save_history(const UnitRef& u, const systemd::PinHistory& h)
  {
    std::error_code ec;
    std::filesystem::create_directories(m_pin_dir, ec);
    if (ec) {
      return make_sys_error(ec.value(), "create " + m_pin_dir);
    }
    sys::WriteOptions wo;
    wo.mode = 0644;
    return sys::atomic_write(history_path(u.name), systemd::serialize_pins(h), wo);
  }

  Result<update_sd::Manager*> manager()
  {
    if (!m_manager) {
      HARDRUN_TRY_ASSIGN(m, update_sd::Manager::connect());
      m_manager.emplace(std::move(m));
    }
    return &*m_manager;
  }

  // Write (or, for nullopt, remove) the pin drop-in, reload, restart and wait.
  Result<update_sd::StartOutcome> apply(const UnitRef& u, const std::optional<std::string>& dropin, std::chrono::seconds wait)
  {
    if (dropin) {
      if (::mkdir(u.dropin_dir().c_str(), 0755) != 0 && errno != EEXIST) {
        return make_sys_error(errno, "create " + u.dropin_dir());
      }
      sys::WriteOptions wo;
      wo.mode = 0644;
      HARDRUN_TRY(sys::atomic_write(u.pin_file(), *dropin, wo));
    } else if (::unlink(u.pin_file().c_str()) != 0 && errno != ENOENT) {
      return make_sys_error(errno, "remove " + u.pin_file());
    }
    HARDRUN_TRY_ASSIGN(m, manager());
    HARDRUN_TRY(m->reload());
    return m->restart(u.service(), wait, std::chrono::seconds(3));
  }

  // The rollback must outlast the candidate's stop: a start that never became healthy is
  // cancelled by the rollback's restart, and systemd may take the unit's whole stop timeout
  // (90 s by default) before the previous digest can start. It must also not be refused by the
  // start limit the failed candidate counted against.
  Result<update_sd::StartOutcome> roll_back(const UnitRef& u, const std::optional<std::string>& dropin)
  {
    HARDRUN_TRY_ASSIGN(m, manager());
    if (auto r = m->reset_failed(u.service()); !r) {
      update_sd::log_step(LOG_WARNING, u.service(), "", "rollback", r.error().what());
    }
    return apply(u, dropin, std::chrono::seconds(m_o.timeout) + std::chrono::seconds(120));
  }
};

Outcome
Updater::update(const UnitRef& u)
{
  Outcome out;
  out.unit = u.service();
  auto unit = load_merged(u);
  if (!unit) {
    return fail(out, ExitCode::system_error, "error", "load", unit.error().what());
  }
  out.track = unit->last(systemd::k_hardrun_section, systemd::k_track_key).value_or("");
  out.current = unit->last("Container", "Image").value_or("");
  auto track = image::parse_reference(out.track);
  if (!track || track->tag.empty() || track->pinned()) {
    return fail(out, ExitCode::usage, "error", "load", u.file() + ": [X-Hardrun] Track=" + out.track + " is not REPO:TAG");
  }
  auto current = image::parse_reference(out.current);
  if (!current || !current->pinned()) {
    return fail(out, ExitCode::denied, "refused", "load", u.file() + ": Image=" + out.current +
                " is not pinned by digest; hardrun quadlet writes a pinned unit");
  }
  auto history = load_history(u, out.track);
  if (!history) {
    return fail(out, ExitCode::system_error, "error", "history", history.error().what());
  }
  const auto save = [&](const char* step) -> bool {
    if (m_o.dry_run) {
      return true;
    }
    if (auto s = save_history(u, *history); !s) {
      update_sd::log_step(LOG_ERR, out.unit, "", step, "cannot write the pin history: " + s.error().what());
      return false;
    }
    return true;
  };
  // The first run adopts the unit's own pin as the active one.
  if (history->active() == nullptr || history->active()->digest != current->digest) {
    if (const auto* p = history->find(current->digest); p == nullptr || p->state != PinState::active) {
      history->record(current->digest, current->str(), PinState::active, now(), "pinned in the unit");
    }
  }

  // 1. tag -> digest, through skopeo: auth.json, registries.conf (mirrors, insecure registries)
  // apply as they do for podman.
  const std::string tagref = track->name() + ":" + track->tag;
  update_sd::log_step(LOG_INFO, out.unit, current->digest, "resolve", "resolving " + tagref);
  auto resolved = run_capture({"skopeo", "inspect", "--format", "{{.Digest}}", "docker://" + tagref});
  const std::string digest = last_line(resolved.out);
  if (resolved.status != 0 || !image::is_sha256_digest(digest)) {
    return fail(out, ExitCode::system_error, "error", "resolve",
                "cannot resolve " + tagref + ": " + (resolved.status == 127 ? "skopeo is not installed" : last_line(resolved.err)));
  }
  out.candidate = track->name() + "@" + digest;
  if (digest == current->digest) {
    out.action = "up-to-date";
    update_sd::log_step(LOG_INFO, out.unit, digest, "resolve", tagref + " is still " + digest);
    (void)save("history");
    return out;
  }
  if (const auto move = systemd::check_move(*history, digest, m_o.force); !move.allowed) {
    return fail(out, ExitCode::denied, "refused", "anti-rollback", move.reason, digest);
  }
  if (m_o.dry_run) {
    out.action = "would-update";
    out.reason = out.current + " -> " + out.candidate + " (not pulled or verified: --dry-run)";
    update_sd::log_step(LOG_INFO, out.unit, digest, "dry-run", out.reason);
    return out;
  }

  // 2. pull by digest, then 3. the hook's decision on what is now in storage.
  update_sd::log_step(LOG_INFO, out.unit, digest, "pull", "pulling " + out.candidate);
  std::vector<std::string> pull = {"podman"};
  if (!m_o.storage_root.empty()) {
    pull.insert(pull.end(), {"--root", m_o.storage_root});
  }
  pull.insert(pull.end(), {"pull", "--quiet", out.candidate});
  const auto pulled = run_capture(pull);
  if (pulled.status != 0) {
    const std::string why = last_line(pulled.err);
    // podman's own policy.json check refuses unsigned images at pull time already.
    const bool rejected = why.find("rejected") != std::string::npos || why.find("signature") != std::string::npos;
    if (rejected) {
      history->record(digest, out.candidate, PinState::refused, now(), "podman pull: " + why);
      (void)save("history");
    }
    return fail(out, rejected ? ExitCode::denied : ExitCode::system_error, rejected ? "refused" : "error", "pull", "podman pull " + out.candidate + ": " + why, digest);
  }
  auto admission = decide_admission(m_cfg, m_o.signature_policy, m_o.storage_root, "", out.candidate);
  if (!admission || !admission->admitted()) {
    const std::string why = !admission ? admission.error().what()
                                       : admission->decision.rule + ": " + admission->decision.reason +
                                           (admission->decision.fix.empty() ? "" : " — " + admission->decision.fix);
    history->record(digest, out.candidate, PinState::refused, now(), why);
    (void)save("history");
    return fail(out, ExitCode::denied, "refused", "verify", "not admitted: " + why, digest);
  }
  update_sd::log_step(LOG_INFO, out.unit, digest, "verify",
                      "admitted (" + admission->decision.rule + (admission->decision.signer.empty() ? "" : ", signer " + admission->decision.signer) + ")");

  // 4. pin: the drop-in, atomically; the history first says "admitted" so a crash is visible.
  std::optional<std::string> previous_dropin;
  {
    sys::ReadOptions ro;
    ro.max_bytes = systemd::k_max_unit_bytes;
    if (auto f = sys::read_file(u.pin_file(), ro)) {
      previous_dropin = f->bytes;
    }
  }
  history->record(digest, out.candidate, PinState::admitted, now(), "verified; restarting " + out.unit);
  if (!save("history")) {
    return fail(out, ExitCode::system_error, "error", "history", "cannot record the pin history in " + m_pin_dir, digest);
  }
  update_sd::log_step(LOG_NOTICE, out.unit, digest, "pin", "pinning " + out.candidate + " in " + u.pin_file());
  auto started = apply(u, systemd::pin_dropin_text(out.candidate), std::chrono::seconds(m_o.timeout));
  if (started && started->up) {
    history->record(current->digest, current->str(), PinState::replaced, now(), "replaced by " + digest);
    history->record(digest, out.candidate, PinState::active, now(), "active after restart");
    (void)save("history");
    out.action = "updated";
    update_sd::log_step(LOG_NOTICE, out.unit, digest, "active", "running " + out.candidate);
    return out;
  }

  // 5. roll back: the previous drop-in (or none), reload, restart, wait.
  const std::string why = started ? "restart job " + started->job_result + ", unit " + started->active_state + "/" + started->sub_state
                                  : started.error().what();
  update_sd::log_step(LOG_WARNING, out.unit, digest, "rollback", "not active and healthy (" + why + "); back to " + out.current);
  history->record(digest, out.candidate, PinState::rolled_back, now(), why);
  (void)save("history");
  auto back = roll_back(u, previous_dropin);
  if (!back || !back->up) {
    const std::string bwhy = back ? "restart job " + back->job_result + ", unit " + back->active_state : back.error().what();
    return fail(out, ExitCode::system_error, "error", "rollback",
                "rolled the pin back to " + out.current + " but the unit did not come back (" + bwhy + ")", current->digest);
  }
  update_sd::log_step(LOG_NOTICE, out.unit, current->digest, "active", "running " + out.current + " again");
  out.code = ExitCode::denied;
  out.action = "rolled-back";
  out.reason = why;
  return out;
}

} // namespace

ExitCode
run_update(const cli::UpdateOptions& o)
{
  const bool explicit_config = !o.config.empty();
  auto cfg = config::load(explicit_config ? o.config : config::default_path(), explicit_config);
  if (!cfg) {
    return report_error(cfg.error());
  }
  const std::vector<std::string> dirs =
    o.unit_dirs.empty() ? std::vector<std::string>{"/etc/containers/systemd", "/usr/share/containers/systemd"} : o.unit_dirs;
  const auto found = find_units(dirs);
  std::vector<UnitRef> todo;
  if (o.units.empty()) {
    for (const auto& u : found) {
      auto unit = systemd::load_unit(u.file());
      if (unit && unit->last(systemd::k_hardrun_section, systemd::k_track_key)) {
        todo.push_back(u);
      }
    }
  } else {
    for (std::string n : o.units) {
      for (const char* suffix : {".service", ".container"}) {
        const std::string s = suffix;
        if (n.size() > s.size() && n.substr(n.size() - s.size()) == s) {
          n.resize(n.size() - s.size());
        }
      }
      const auto it = std::find_if(found.begin(), found.end(), [&](const UnitRef& u) { return u.name == n; });
      if (it == found.end()) {
        std::cerr << "hardrun update: usage: no " << n << ".container in";
        for (const auto& d : dirs) {
          std::cerr << ' ' << d;
        }
        std::cerr << " (--unit-dir DIR)\n";
        return ExitCode::usage;
      }
      todo.push_back(*it);
    }
  }
  Updater updater(o, std::move(*cfg));
  std::vector<Outcome> outcomes;
  ExitCode status = ExitCode::ok;
  for (const auto& u : todo) {
    outcomes.push_back(updater.update(u));
    const auto c = outcomes.back().code;
    // 4 (system error) outranks 1 (refused or rolled back); a usage problem in a unit counts as 1.
    const auto rank = [](ExitCode e) { return e == ExitCode::system_error ? 2 : e == ExitCode::ok ? 0 : 1; };
    if (rank(c) > rank(status)) {
      status = c == ExitCode::system_error ? ExitCode::system_error : ExitCode::denied;
    }
  }
  if (o.json) {
    spec::Json j{{"dryRun", o.dry_run}, {"units", spec::Json::array()}};
    for (const auto& x : outcomes) {
      j["units"].push_back({{"unit", x.unit}, {"track", x.track}, {"current", x.current}, {"candidate", x.candidate},
                            {"action", x.action}, {"reason", x.reason}});
    }
    j["status"] = to_int(status);
    std::cout << j.dump(2) << '\n';
  } else {
    if (outcomes.empty()) {
      std::cout << "no unit tracks a tag (hardrun quadlet --track REPO:TAG)\n";
    }
    for (const auto& x : outcomes) {
      std::cout << x.unit << ": " << x.action;
      if (!x.candidate.empty() && x.action != "up-to-date") {
        std::cout << " " << x.current << " -> " << x.candidate;
      } else if (!x.current.empty()) {
        std::cout << " " << x.current;
      }
      if (!x.reason.empty() && x.action != "would-update") {
        std::cout << " (" << x.reason << ")";
      }
      std::cout << '\n';
    }
  }
  return status;
}

} // namespace hardrun::commands
