// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/audit/containers_conf.hpp"

using namespace hardrun;

TEST_CASE("containers.conf: the keys doctor reads, merged file by file", "[audit]")
{
  audit::ContainersConf c;
  REQUIRE(audit::merge_containers_conf(c, R"(# podman defaults
[containers]
default_ulimits = ["nofile=1024:1024"]   # not ours
[engine]
cgroup_manager = "cgroupfs"
hooks_dir = [
  "/usr/share/containers/oci/hooks.d",  # built-in
  '/etc/containers/oci/hooks.d',
]
[engine.runtimes]
runc = ["/usr/bin/runc", "/usr/sbin/runc"]
)", "/usr/share/containers/containers.conf"));
  REQUIRE(c.hooks_dir);
  CHECK(*c.hooks_dir == std::vector<std::string>{"/usr/share/containers/oci/hooks.d", "/etc/containers/oci/hooks.d"});
  CHECK(c.hooks_dir_source == "/usr/share/containers/containers.conf:6");
  CHECK_FALSE(c.runtime);
  CHECK(c.runtimes.at("runc").size() == 2);

  REQUIRE(audit::merge_containers_conf(c, "[engine]\nruntime = \"hardrun\"\n\n[engine.runtimes]\nhardrun = [\"/usr/bin/hardrun-runtime\"]\n",
                                       "/etc/containers/containers.conf.d/hardrun.conf"));
  CHECK(c.runtime == std::optional<std::string>("hardrun"));
  CHECK(c.runtimes.at("hardrun") == std::vector<std::string>{"/usr/bin/hardrun-runtime"});
  CHECK(c.runtimes.count("runc") == 1); // a later file adds, it does not wipe other entries
  CHECK(c.hooks_dir->size() == 2);     // and keeps keys it does not set
  CHECK(c.files.size() == 2);

  // A later file's hooks_dir replaces the earlier one; an explicit empty list means no hooks.
  REQUIRE(audit::merge_containers_conf(c, "[engine]\nhooks_dir = []\n", "/home/u/.config/containers/containers.conf"));
  CHECK(c.hooks_dir->empty());
  CHECK(audit::effective_hooks_dirs(c).empty());
}

TEST_CASE("containers.conf: keys outside [engine] and look-alikes are not ours", "[audit]")
{
  audit::ContainersConf c;
  REQUIRE(audit::merge_containers_conf(c, "hooks_dir = [\"/nope\"]\n[network]\nruntime = \"x\"\n[engine]\n#hooks_dir = [\"/commented\"]\n"
                                          "env = [\"A=#not-a-comment\"]\n", "f"));
  CHECK_FALSE(c.hooks_dir);
  CHECK_FALSE(c.runtime);
  CHECK(audit::effective_hooks_dirs(c) == std::vector<std::string>{"/usr/share/containers/oci/hooks.d"});
}

TEST_CASE("containers.conf: a malformed value of a key doctor reads is an error naming file and line", "[audit]")
{
  audit::ContainersConf c;
  auto r = audit::merge_containers_conf(c, "[engine]\n\nhooks_dir = \"/not/an/array\"\n", "/etc/containers/containers.conf");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Matchers::Contains("/etc/containers/containers.conf:3") &&
                                 Catch::Matchers::Contains("hooks_dir"));
  CHECK_FALSE(audit::merge_containers_conf(c, "[engine]\nruntime = \"unterminated\n", "f"));
  CHECK_FALSE(audit::merge_containers_conf(c, "[engine]\nruntime = [\"a\"]\n", "f"));
}

TEST_CASE("containers.conf: the files podman 4.3 reads", "[audit]")
{
  const auto env = audit::containers_conf_candidates(false, std::string("/tmp/x.conf"), "/root/.config");
  CHECK(env.entries == std::vector<std::string>{"/tmp/x.conf"});
  const auto rootful = audit::containers_conf_candidates(false, std::nullopt, "/root/.config");
  CHECK(rootful.entries == std::vector<std::string>{"/usr/share/containers/containers.conf", "/etc/containers/containers.conf",
                                                   "/etc/containers/containers.conf.d/*.conf"});
  const auto rootless = audit::containers_conf_candidates(true, std::nullopt, "/home/u/.config");
  REQUIRE(rootless.entries.size() == 5);
  CHECK(rootless.entries[3] == "/home/u/.config/containers/containers.conf");
}
