// SPDX-License-Identifier: Apache-2.0
#include "hardrun/audit/catalog.hpp"

#include <algorithm>

namespace hardrun::audit {

const std::vector<CheckIds>&
check_catalog()
{
  // rule, CIS Docker, Kubescape, Trivy, dockle, title
  static const std::vector<CheckIds> k_catalog = {
    {"user-namespace", "2.9 / 5.31", "C-0013", "KSV-0020", "", "container ids not mapped to unprivileged host ids"},
    {"non-root-user", "4.1", "C-0013", "KSV-0012", "CIS-DI-0001", "process runs as root"},
    {"drop-capabilities", "5.4", "C-0046", "KSV-0003", "", "capabilities beyond the profile"},
    {"no-new-privileges", "5.26", "C-0016", "KSV-0001", "", "privilege escalation through setuid binaries allowed"},
    {"read-only-root", "5.13", "C-0017", "KSV-0014", "", "writable root filesystem"},
    {"masked-paths", "5.4", "C-0057", "KSV-0017", "", "kernel paths under /proc and /sys not masked"},
    {"readonly-paths", "5.4", "C-0057", "KSV-0017", "", "kernel paths under /proc not read-only"},
    {"pids-limit", "5.29", "C-0270", "KSV-0018", "", "no pids limit (fork bomb)"},
    {"seccomp", "5.22", "C-0055", "KSV-0104", "", "no seccomp filter"},
    {"no-host-namespaces", "5.9 / 5.16 / 5.17 / 5.21 / 5.31", "C-0038", "KSV-0008 / KSV-0009 / KSV-0010", "",
     "shares a host namespace"},
    {"no-sensitive-mounts", "5.5 / 5.32", "C-0048", "KSV-0023", "", "sensitive host path mounted"},
    {"no-devices", "5.18", "C-0057", "KSV-0017", "", "host devices passed in"},
    {"no-writable-kernel-fs", "5.5", "C-0057", "KSV-0017", "", "/proc or /sys writable"},
    {"safe-mount-destinations", "5.5", "C-0048", "", "", "mount over a sensitive container path"},
    {"safe-cwd", "", "", "", "", "working directory under /proc or /sys (CVE-2024-21626)"},
    {"no-unconfined-lsm", "5.1 / 5.2", "C-0055", "KSV-0002", "", "AppArmor or SELinux confinement off"},
    {"no-secret-env", "4.10", "C-0012 / C-0207", "DS secrets", "CIS-DI-0010", "secret in an environment variable"},
    {"privileged", "5.4", "C-0057", "KSV-0017", "", "privileged container"},
    {"pinned-image", "5.28", "C-0078", "KSV-0013", "DKL-DI-0006", "image not pinned by digest"},
    {"image-secret-file", "4.10", "C-0012", "DS secrets", "CIS-DI-0010", "secret file in an image layer"},
    {"image-secret-env", "4.10", "C-0012 / C-0207", "DS secrets", "CIS-DI-0010", "secret in the image's ENV or history"},
    {"image-root-user", "4.1", "C-0013", "DS-0002", "CIS-DI-0001", "image runs as root by default"},
    {"image-package-cache", "", "", "", "DKL-DI-0005", "package manager cache left in a layer"},
  };
  return k_catalog;
}

const CheckIds*
ids_for(std::string_view rule)
{
  const auto& c = check_catalog();
  const auto it = std::find_if(c.begin(), c.end(), [&](const CheckIds& i) { return i.rule == rule; });
  return it == c.end() ? nullptr : &*it;
}

} // namespace hardrun::audit
