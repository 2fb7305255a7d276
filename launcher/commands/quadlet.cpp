// SPDX-License-Identifier: Apache-2.0
//
// hardrun quadlet NAME IMAGE@sha256:…: a quadlet .container unit hardened by construction
// (hardrun-quadlet(7)). The keys come from the same composition as `hardrun run`'s podman flags
// (systemd::compose_hardening), and the container runs under the hardrun runtime shim, so the
// profile is enforced at every start whatever the unit says; the keys keep podman's own view
// (exec, inspect) and the generated service in agreement with it.
#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "hardrun/image/reference.hpp"
#include "hardrun/sys/fs.hpp"
#include "hardrun/systemd/container.hpp"
#include "input.hpp"
#include "selection.hpp"

namespace hardrun::commands {
namespace {

ExitCode
refuse(const std::string& rule, const std::string& message, const std::string& fix)
{
  std::cerr << "hardrun quadlet: refused: " << rule << ": " << message << (fix.empty() ? "" : " — " + fix) << '\n';
  return ExitCode::denied;
}

ExitCode
usage(const std::string& message)
{
  std::cerr << "hardrun quadlet: usage: " << message << '\n';
  return ExitCode::usage;
}

// A unit and container name: podman's container name grammar, which is also a valid unit name.
bool
valid_name(const std::string& n)
{
  if (n.empty() || n.size() > 200 || n.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != std::string::npos) {
    return false;
  }
  return std::isalnum(static_cast<unsigned char>(n[0])) != 0;
}

} // namespace

ExitCode
run_quadlet(const cli::QuadletOptions& o)
{
  std::string name = o.name;
  if (name.size() > 10 && name.substr(name.size() - 10) == ".container") {
    name.resize(name.size() - 10);
  }
  if (!valid_name(name)) {
    return usage("NAME \"" + o.name + "\" must be letters, digits, _ . - (it names NAME.container, NAME.service and the container)");
  }
  // The image must be pinned: a tag can be moved by whoever pushes to the registry, and the
  // admission hook refuses it anyway. --track records the tag for hardrun update instead.
  auto ref = image::parse_reference(o.image);
  if (!ref) {
    return refuse("pinned", "image reference \"" + o.image + "\" is invalid: " + ref.error().message, "");
  }
  if (!ref->pinned()) {
    return refuse("pinned", "image \"" + o.image + "\" is not referenced by digest",
                  "pin it: skopeo inspect --format '{{.Digest}}' docker://" + o.image + " (registry) or podman image inspect "
                    "--format '{{.Digest}}' " + o.image + " (local image), then hardrun quadlet " + name + " " + ref->name() +
                    "@sha256:… --track " + (ref->tag.empty() ? ref->name() + ":latest" : o.image));
  }
  std::string track;
  if (!o.track.empty()) {
    auto t = image::parse_reference(o.track);
    if (!t || t->pinned() || t->tag.empty()) {
      return usage("--track " + o.track + ": expected REPO:TAG (a tag, no digest)");
    }
    // The pin and the tag name the same repository: the updater resolves the tag there and
    // verifies the signature for that name.
    if (t->name() != ref->name()) {
      return usage("--track " + o.track + " names repository " + t->name() + " but the image is " + ref->name());
    }
    track = t->name() + ":" + t->tag;
  }

  auto selected = select_config_and_profile(o.config, o.policy);
  if (!selected) {
    return report_error(selected.error());
  }
  const policy::Policy& pol = selected->loaded.policy;
  if (pol.uid == 0 || pol.gid == 0) {
    return refuse("non-root-user", "profile " + pol.name + " names uid/gid 0", "use a profile with a service uid/gid other than 0");
  }

  systemd::QuadletSpec spec;
  spec.name = name;
  spec.image = ref->str();
  spec.track = track;
  spec.description = o.description;
  spec.network = o.network;
  spec.config = selected->explicit_config ? selected->config_file : "";
  spec.profile = o.policy.empty() ? "" : selected->profile;
  if (!o.shim.empty()) {
    if (o.shim[0] != '/') {
      return usage("--shim " + o.shim + ": an absolute path");
    }
    spec.runtime = o.shim;
  } else {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    spec.runtime = (ec ? std::string("/usr/bin") : self.parent_path().string()) + "/hardrun-runtime";
  }
  for (const auto& s : o.secrets) {
    auto secret = systemd::parse_podman_secret(s);
    if (!secret) {
      std::cerr << "hardrun quadlet: usage: " << secret.error().what() << '\n';
      return ExitCode::usage;
    }
    const auto target = [](const systemd::PodmanSecret& x) { return x.target.empty() ? x.name : x.target; };
    for (const auto& other : spec.secrets) {
      if (target(other) == target(*secret)) {
        return usage("two secrets target " + target(*secret) + ": give one of them target=OTHER");
      }
    }
    spec.secrets.push_back(std::move(*secret));
  }
  const bool any_health = !o.health_interval.empty() || !o.health_timeout.empty() || !o.health_retries.empty() || !o.health_start_period.empty();
  if (!o.health_cmd.empty()) {
    spec.health = systemd::HealthCheck{o.health_cmd, o.health_interval, o.health_timeout, o.health_retries, o.health_start_period};
  } else if (any_health) {
    return usage("--health-interval/-timeout/-retries/-start-period need --health-cmd");
  }

  auto hardening = systemd::compose_hardening(pol, selected->loaded.allocation, pol.uid, pol.gid);
  if (!hardening.seccomp.empty()) {
    // By canonical path: the unit outlives this shell and podman resolves it from its own cwd.
    std::error_code ec;
    const auto canonical = std::filesystem::canonical(hardening.seccomp, ec);
    if (ec) {
      return report_error(Error{Errc::not_found, 0, "seccomp profile " + hardening.seccomp + ": " + ec.message(), {}});
    }
    hardening.seccomp = canonical.string();
  }
  auto unit = systemd::quadlet_unit(hardening, spec);
  if (!unit) {
    return report_error(unit.error());
  }
  auto text = systemd::render_unit(*unit);
  if (!text) {
    return report_error(text.error());
  }
  const std::string out = "# Written by hardrun quadlet (profile " + pol.name + "); see hardrun-quadlet(7).\n"
                          "# Install: copy to /etc/containers/systemd/" + name + ".container, systemctl daemon-reload, "
                          "systemctl start " + name + ".service\n" + *text;
  if (o.output.empty() || o.output == "-") {
    std::cout << out;
    return ExitCode::ok;
  }
  struct stat st {};
  if (!o.force && ::lstat(o.output.c_str(), &st) == 0) {
    return usage(o.output + " exists; --force replaces it");
  }
  // Atomic: a crash or a full disk leaves the old unit or the new one, never half of one, for
  // the generator to read at the next daemon-reload.
  sys::WriteOptions wo;
  wo.mode = 0644;
  if (auto w = sys::atomic_write(o.output, out, wo); !w) {
    return report_error(w.error());
  }
  std::cerr << "hardrun quadlet: wrote " << o.output << " (" << spec.image << (track.empty() ? "" : ", tracking " + track) << ")\n";
  return ExitCode::ok;
}

} // namespace hardrun::commands
