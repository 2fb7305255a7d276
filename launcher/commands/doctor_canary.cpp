// SPDX-License-Identifier: Apache-2.0
//
// The canary of `hardrun doctor`: configuration checks can all pass while nothing is enforced
// (podman started with --hooks-dir, a runtime path that is not the shim, a hook that crashes
// before it decides). Only starting a container proves the hook fires and the rewrite happens.
// Self-contained: a static binary installed with hardrun, imported as a one-file image into a
// private store (never the user's images), no registry, no network.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "doctor.hpp"
#include "doctor_process.hpp"
#include "hardrun/audit/canary.hpp"
#include "hardrun/audit/layers.hpp"
#include "hardrun/spec/json.hpp"
#include "hardrun/sys/fs.hpp"

#ifndef HARDRUN_CANARY_PATH
#define HARDRUN_CANARY_PATH "/usr/libexec/hardrun/hardrun-canary"
#endif

namespace hardrun::commands {
namespace {

constexpr auto k_podman_timeout = std::chrono::seconds(90);
constexpr std::size_t k_max_canary_bytes = std::size_t{16} << 20U;

// Mount points at or below `dir`, deepest first (podman may leave a shm mount behind).
std::vector<std::string>
mounts_below(const std::string& dir)
{
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mp;
    fields >> id >> parent >> devno >> root >> mp;
    // mountinfo escapes space, tab, newline and backslash as \ooo.
    std::string unescaped;
    for (std::size_t i = 0; i < mp.size(); ++i) {
      if (mp[i] == '\\' && i + 3 < mp.size()) {
        unescaped += static_cast<char>(std::stoi(mp.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        unescaped += mp[i];
      }
    }
    if (unescaped == dir || unescaped.rfind(dir + "/", 0) == 0) {
      out.push_back(unescaped);
    }
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

// Everything below the scratch directory goes, whatever happened before.
class Scratch {
public:
  explicit Scratch(std::string dir) : m_dir(std::move(dir)) {}
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { (void)remove(); }

  [[nodiscard]] const std::string& dir() const { return m_dir; }
  std::vector<std::string> base() const
  {
    return {"podman", "--root", m_dir + "/storage", "--runroot", m_dir + "/runroot", "--tmpdir", m_dir + "/tmp",
            "--storage-driver", "vfs", "--events-backend", "file"};
  }

  // Removes the containers and images of the private store, then the directory; refuses to
  // delete while something stays mounted below it (rm would cross into the mount).
  std::string remove()
  {
    if (m_dir.empty()) {
      return {};
    }
    auto rm = base();
    rm.insert(rm.end(), {"rm", "--all", "--force", "--time", "0"});
    (void)run_process(rm, std::chrono::seconds(60));
    auto rmi = base();
    rmi.insert(rmi.end(), {"rmi", "--all", "--force"});
    (void)run_process(rmi, std::chrono::seconds(60));
    for (const auto& m : mounts_below(m_dir)) {
      if (::umount2(m.c_str(), 0) != 0) {
        ::umount2(m.c_str(), MNT_DETACH);
      }
    }
    if (const auto left = mounts_below(m_dir); !left.empty()) {
      std::string problem = "left " + m_dir + " in place: " + left.front() + " is still mounted";
      m_dir.clear();
      return problem;
    }
    // The shim's per-container records (/run/hardrun/containers/ID.json) of our canaries: the
    // shim only sweeps stale ones on its next create.
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/run/hardrun/containers", ec)) {
      if (e.path().extension() != ".json") {
        continue;
      }
      auto rec = sys::read_file(e.path().string(), sys::ReadOptions{64U << 10U, true, false, true});
      if (!rec) {
        continue;
      }
      const spec::Json j = spec::Json::parse(rec->bytes, nullptr, false);
      if (j.is_object() && j.value("bundle", std::string()).rfind(m_dir + "/", 0) == 0) {
        std::filesystem::remove(e.path(), ec);
      }
    }
    ec.clear();
    std::filesystem::remove_all(m_dir, ec);
    std::string problem = ec ? "could not remove " + m_dir + ": " + ec.message() : std::string();
    m_dir.clear();
    return problem;
  }

private:
  std::string m_dir;
};

// A copy of the configuration in force with one exception, for the canary's digest only, and
// the hook injected by the shim (so the hooks.d copy, which names the real configuration, is
// replaced by one that names this copy). Everything else, above all the profile, is unchanged.
Result<std::string>
write_canary_config(const CanaryInputs& in, const std::string& dir, const std::string& digest)
{
  spec::Json j = spec::Json{{"hardrunConfig", config::k_config_version}};
  if (!in.config_file.empty()) {
    HARDRUN_TRY_ASSIGN(file, sys::read_file(in.config_file, sys::ReadOptions{config::k_max_config_bytes, false, false, true}));
    j = spec::Json::parse(file.bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return make_error(Errc::invalid_input, in.config_file + ": not a JSON object");
    }
  }
  if (!j.contains("exceptions") || !j["exceptions"].is_array()) {
    j["exceptions"] = spec::Json::array();
  }
  j["exceptions"].push_back({{"digest", digest}, {"reason", "hardrun doctor canary (private store, removed after the check)"}});
  j["injectHook"] = true;
  const std::string path = dir + "/hardrun.json";
  sys::WriteOptions wo;
  wo.mode = 0644;
  HARDRUN_TRY(sys::atomic_write(path, j.dump(2) + "\n", wo));
  return path;
}

std::string
summary(const audit::CanaryReport& r)
{
  std::ostringstream s;
  s << "uid " << (r.uid ? std::to_string(*r.uid) : "?") << ", CapEff " << (r.cap_eff ? std::to_string(*r.cap_eff) : "?")
    << ", NoNewPrivs " << (r.no_new_privs ? std::to_string(*r.no_new_privs) : "?") << ", Seccomp "
    << (r.seccomp ? std::to_string(*r.seccomp) : "?") << ", write to / gave " << (r.root_write.empty() ? "?" : r.root_write);
  return s.str();
}

std::vector<std::string>
run_args(const Scratch& s, const std::string& name, const std::string& runtime)
{
  auto a = s.base();
  a.insert(a.end(), {"run", "--rm", "--pull", "never", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit",
                     "nproc=1024:1024", "--name", name, "--runtime", runtime});
  return a;
}

} // namespace

void
run_canary(DoctorReport& rep, const CanaryInputs& in)
{
  const std::string binary = in.canary_binary.empty() ? std::string(HARDRUN_CANARY_PATH) : in.canary_binary;
  auto bytes = sys::read_file(binary, sys::ReadOptions{k_max_canary_bytes, false, false, true});
  if (!bytes) {
    rep.add("canary", CheckStatus::fail, "cannot read the canary program: " + bytes.error().what(),
            "reinstall hardrun (it ships " + std::string(HARDRUN_CANARY_PATH) + ")");
    return;
  }
  // The mount points runc creates must already exist: once the shim maps the container's root to
  // an unprivileged host id, it cannot create them in a rootfs owned by host root.
  std::vector<audit::TarItem> items;
  for (const char* d : {"dev", "proc", "sys", "tmp", "run", "etc"}) {
    items.push_back({d, {}, 0755, true});
  }
  for (const char* f : {"etc/hosts", "etc/hostname", "etc/resolv.conf"}) {
    items.push_back({f, {}, 0644, false});
  }
  items.push_back({"etc/passwd", "root:x:0:0:root:/:/nonexistent\n", 0644, false});
  items.push_back({"etc/group", "root:x:0:\n", 0644, false});
  items.push_back({"hardrun-canary", bytes->bytes, 0755, false});
  auto tar = audit::make_tar(items);
  if (!tar) {
    rep.add("canary", CheckStatus::fail, tar.error().what(), "report a bug");
    return;
  }
  // Private store below a fresh root-owned directory (the hook refuses group/world-writable storage).
  const char* parent = ::access("/run", W_OK) == 0 ? "/run" : "/var/tmp";
  std::string tmpl = std::string(parent) + "/hardrun-doctor.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    rep.add("canary", CheckStatus::fail, "mkdtemp " + tmpl + ": " + std::strerror(errno), "make /run or /var/tmp writable for root");
    return;
  }
  Scratch scratch(tmpl);
  const std::string suffix = tmpl.substr(tmpl.size() - 6);
  // The container's root is an unmapped host id once the shim adds a user namespace: it must be
  // able to traverse to its rootfs (search only, nothing listable or writable).
  ::chmod(scratch.dir().c_str(), 0711);
  ::mkdir((scratch.dir() + "/tmp").c_str(), 0700);
  sys::WriteOptions wo;
  wo.mode = 0600;
  if (auto w = sys::atomic_write(scratch.dir() + "/canary.tar", *tar, wo); !w) {
    rep.add("canary", CheckStatus::fail, w.error().what(), "check the free space in " + std::string(parent));
    return;
  }
  const std::string tag = "localhost/hardrun-doctor-canary:" + suffix;
  auto import = scratch.base();
  import.insert(import.end(), {"import", "--quiet", scratch.dir() + "/canary.tar", tag});
  if (const auto r = run_process(import, k_podman_timeout); !r.started || r.timed_out || r.exit_code != 0) {
    rep.add("canary", CheckStatus::fail, "podman import of the canary image failed: " + (r.error.empty() ? first_line(r) : r.error),
            "check that podman works as root: podman info");
    return;
  }
  auto inspect = scratch.base();
  inspect.insert(inspect.end(), {"image", "inspect", "--format", "{{.Digest}}", tag});
  const auto ir = run_process(inspect, k_podman_timeout);
  std::string digest = ir.out.substr(0, ir.out.find('\n'));
  if (ir.exit_code != 0 || digest.rfind("sha256:", 0) != 0 || digest.size() != 71) {
    rep.add("canary", CheckStatus::fail, "no digest for the canary image: " + first_line(ir), "check podman image inspect");
    return;
  }
  // vfs leaves its directories 0700; the shim's user namespace maps the container's root to an
  // unprivileged host id that must traverse them to the rootfs (c/storage's overlay driver makes
  // its home 0711 for the same reason). Search permission only.
  for (const char* sub : {"/storage", "/storage/vfs", "/storage/vfs/dir"}) {
    ::chmod((scratch.dir() + sub).c_str(), 0711);
  }
  const std::string image = "localhost/hardrun-doctor-canary@" + digest;
  rep.add("canary-image", CheckStatus::ok, image + " in the private store " + scratch.dir(), "");

  // (a) Through the shim: the rewrite must show from inside.
  if (auto cfg_path = write_canary_config(in, scratch.dir(), digest); !cfg_path) {
    rep.add("canary-shim", CheckStatus::fail, cfg_path.error().what(), "fix the configuration (see the config check)");
  } else {
    auto a = run_args(scratch, "hardrun-doctor-shim-" + suffix, in.shim);
    a.insert(a.end() - 2, {"--runtime-flag", "hardrun-config=" + *cfg_path});
    a.insert(a.end(), {image, "/hardrun-canary"});
    const auto r = run_process(a, k_podman_timeout);
    const auto report = audit::parse_canary_output(r.out);
    const auto gaps = audit::canary_gaps(report);
    if (r.timed_out || r.exit_code != 0 || !report.done) {
      rep.add("canary-shim", CheckStatus::fail,
              "the canary did not run through the shim (--runtime " + in.shim + "): " + (r.error.empty() ? first_line(r) : r.error),
              "see the shim-registered and delegate checks; run podman --runtime " + in.shim + " by hand for details");
    } else if (!gaps.empty()) {
      std::string g;
      for (const auto& x : gaps) {
        g += (g.empty() ? "" : "; ") + x;
      }
      rep.add("canary-shim", CheckStatus::fail, "the canary ran through --runtime " + in.shim + " but NOT hardened: " + g,
              "the shim did not rewrite config.json: check that " + in.shim + " is hardrun-runtime and the profile");
    } else {
      rep.add("canary-shim", CheckStatus::ok, "ran through --runtime " + in.shim + " hardened: " + summary(report), "");
    }
  }

  // (b) Around the shim, straight to the real runtime: the hooks.d hook must deny.
  if (in.delegate.empty()) {
    rep.add("canary-hook", CheckStatus::skip, "no real runtime to start the canary with (see the delegate check)", "");
  } else {
    auto b = run_args(scratch, "hardrun-doctor-hook-" + suffix, in.delegate);
    b.insert(b.end(), {image, "/hardrun-canary"});
    const auto r = run_process(b, k_podman_timeout);
    const auto deny = r.err.find("hardrun-hook: deny:");
    if (r.exit_code != 0 && deny != std::string::npos) {
      std::string line = r.err.substr(deny, r.err.find_first_of("\n\"", deny) - deny);
      if (line.size() > 300) {
        line = line.substr(0, 300) + "...";
      }
      rep.add("canary-hook", CheckStatus::ok, "podman --runtime " + in.delegate + " (no shim) was denied by the hooks.d hook: " + line, "");
    } else if (audit::parse_canary_output(r.out).done) {
      rep.add("canary-hook", CheckStatus::fail,
              "a container started with --runtime " + in.delegate + " around the shim RAN: the hooks.d hook did not fire or admitted it",
              "see the hooks-dir, hooks-file and hook-binary checks; mode must be enforce");
    } else {
      rep.add("canary-hook", CheckStatus::fail,
              "the canary failed without the hook's deny line: " + (r.error.empty() ? first_line(r) : r.error),
              "run podman --runtime " + in.delegate + " by hand to see why");
    }
  }

  if (const std::string problem = scratch.remove(); !problem.empty()) {
    rep.add("canary-cleanup", CheckStatus::fail, problem, "unmount and remove it by hand");
  }
}

} // namespace hardrun::commands
