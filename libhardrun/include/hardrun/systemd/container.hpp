// SPDX-License-Identifier: Apache-2.0
// What a hardened podman container is told, composed once from the profile and used twice:
// `hardrun run` turns it into podman flags, `hardrun quadlet` into quadlet [Container] keys.
// The shim enforces the profile whatever podman was told; these settings keep podman's own view
// (podman exec, inspect, the generated service) in agreement with what the shim enforces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hardrun/base/result.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/systemd/unit_file.hpp"

namespace hardrun::systemd {

struct Hardening {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string userns;  // podman --userns MODE ("auto:size=65536"), or "" when uidmap/gidmap are set
  std::string uidmap;  // "0:HOSTSTART:SIZE" (podman --uidmap) or ""
  std::string gidmap;
  std::vector<std::string> capabilities; // kept after --cap-drop all
  std::vector<std::string> tmpfs;        // "PATH[:OPTS]"
  std::string seccomp;                   // seccomp profile path or ""
  std::int64_t pids_limit = 0;
};

// From the profile and its resolved id allocation. `userns` overrides the profile's user
// namespace mode when not empty (hardrun run --userns).
[[nodiscard]] Hardening compose_hardening(const policy::Policy& policy, const policy::IdAllocation& allocation,
                                          std::uint32_t uid, std::uint32_t gid, const std::string& userns = "");

// The podman run flags: --user, --userns/--uidmap/--gidmap, --cap-drop all, --cap-add,
// no-new-privileges, --read-only --read-only-tmpfs=false, --tmpfs, seccomp, --pids-limit.
[[nodiscard]] std::vector<std::string> podman_flags(const Hardening& h);

// A podman secret for Secret=NAME,type=mount,uid=,gid=,mode=0400[,target=T].
struct PodmanSecret {
  std::string name;
  std::string target; // "" = podman's default /run/secrets/NAME
};
// "NAME[,target=T]"; NAME and T follow podman's secret name rules (no "/", ",", "=", no
// whitespace; a target may be an absolute path or a plain file name below /run/secrets).
[[nodiscard]] Result<PodmanSecret> parse_podman_secret(const std::string& spec);

struct HealthCheck {
  std::string cmd;
  std::string interval;
  std::string timeout;
  std::string retries;
  std::string start_period;
};

struct QuadletSpec {
  std::string name;        // unit name (NAME.container)
  std::string image;       // pinned NAME@sha256:…
  std::string track;       // REPO:TAG the updater follows, or ""
  std::string runtime;     // absolute path of hardrun-runtime
  std::string config;      // --runtime-flag hardrun-config=… when not ""
  std::string profile;     // --runtime-flag hardrun-profile=… when not ""
  std::string description;
  std::string network; // Network= (podman --network MODE), "" = podman's default; never "host"
  std::vector<PodmanSecret> secrets;
  std::optional<HealthCheck> health;
};

// The section and key of the tracked tag: an "X-" section, which systemd ignores by definition
// (systemd.unit(5)) and quadlet passes through to the generated service unchanged.
inline constexpr const char* k_hardrun_section = "X-Hardrun";
inline constexpr const char* k_track_key = "Track";
// The label with the same tag, so podman inspect shows what a container follows.
inline constexpr const char* k_track_label = "io.hardrun.track";

// The hardened unit. Refuses a spec whose values would not survive the unit syntax.
[[nodiscard]] Result<UnitFile> quadlet_unit(const Hardening& h, const QuadletSpec& spec);

// The pin drop-in hardrun update writes: NAME.container.d/50-hardrun-pin.conf.
inline constexpr const char* k_pin_dropin = "50-hardrun-pin.conf";
[[nodiscard]] std::string pin_dropin_text(const std::string& image);

} // namespace hardrun::systemd
