// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/check/validator.hpp"
#include "hardrun/engine/harden.hpp"

using hardrun::check::Finding;
using hardrun::check::validate;
using hardrun::spec::Json;
using hardrun::test::golden_input;
using hardrun::test::test_context;

namespace {

// A config that passes every rule: the engine's own output for network-none.
Json
compliant()
{
  auto doc = hardrun::spec::Document::parse(golden_input("network-none").dump(), "c");
  REQUIRE(doc.has_value());
  auto outcome = hardrun::engine::harden(*doc, test_context(), {});
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->findings.empty());
  return doc->json();
}

std::vector<Finding>
findings_of(const Json& c, const std::string& rule, const hardrun::check::Options& options = {})
{
  std::vector<Finding> out;
  for (auto& f : validate(c, test_context(), options)) {
    if (f.rule == rule) {
      out.push_back(std::move(f));
    }
  }
  return out;
}

// Exactly the findings of one rule; every finding has a pointer, a message and a remedy.
void
expect_only(const Json& c, const std::string& rule, const std::string& pointer, const std::string& message_part)
{
  const auto all = validate(c, test_context());
  REQUIRE_FALSE(all.empty());
  for (const auto& f : all) {
    INFO(f.rule << " " << f.pointer << ": " << f.message);
    CHECK(f.rule == rule);
    CHECK_FALSE(f.remedy.empty());
  }
  const auto hit = std::find_if(all.begin(), all.end(), [&](const Finding& f) {
    return f.pointer == pointer && f.message.find(message_part) != std::string::npos;
  });
  CHECK(hit != all.end());
}

} // namespace

TEST_CASE("a hardened config is compliant", "[hardrun::check]")
{
  CHECK(validate(compliant(), test_context()).empty());
}

TEST_CASE("rules of the modifiers report what hardening fixes", "[hardrun::check]")
{
  Json c = compliant();
  c["root"]["readonly"] = false;
  expect_only(c, "read-only-root", "/root/readonly", "writable");

  c = compliant();
  c["process"]["capabilities"]["ambient"] = {"CAP_SYS_ADMIN"};
  expect_only(c, "drop-capabilities", "/process/capabilities/ambient", "CAP_SYS_ADMIN");

  c = compliant();
  c["process"].erase("noNewPrivileges");
  expect_only(c, "no-new-privileges", "/process/noNewPrivileges", "setuid");

  c = compliant();
  c["process"]["user"]["additionalGids"] = {10001, 0};
  expect_only(c, "non-root-user", "/process/user/additionalGids", "include 0");
  c["process"]["user"]["additionalGids"] = Json::array();
  expect_only(c, "non-root-user", "/process/user/additionalGids", "lack the primary gid");

  c = compliant();
  c["linux"].erase("seccomp");
  expect_only(c, "seccomp", "/linux/seccomp", "every syscall");
  c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_LOG"}};
  expect_only(c, "seccomp", "/linux/seccomp/defaultAction", "by default");

  c = compliant();
  c["linux"]["readonlyPaths"] = Json::array();
  expect_only(c, "readonly-paths", "/linux/readonlyPaths", "/proc/sys");

  c = compliant();
  c["linux"]["resources"]["pids"]["limit"] = 0;
  expect_only(c, "pids-limit", "/linux/resources/pids/limit", "above");
}

TEST_CASE("user-namespace rules (R16, U1-U7)", "[hardrun::check][user-namespace]")
{
  const auto map = [](const char* json) { return Json::parse(json); };
  Json c = compliant();
  c["linux"]["uidMappings"] = map(R"([{"containerID":0,"hostID":0,"size":65536}])");
  CHECK_FALSE(findings_of(c, "user-namespace").empty());
  CHECK(findings_of(c, "user-namespace")[0].message.find("host root") != std::string::npos); // U1

  c = compliant();
  c["linux"]["uidMappings"] = map(R"([{"containerID":0,"hostID":100000,"size":65536},{"containerID":1000,"hostID":100500,"size":10}])");
  const auto overlap = findings_of(c, "user-namespace"); // U2
  CHECK(std::any_of(overlap.begin(), overlap.end(), [](const Finding& f) { return f.message.find("overlap") != std::string::npos; }));

  c = compliant();
  c["linux"]["uidMappings"] = map(R"([{"containerID":0,"hostID":4294967200,"size":1000}])");
  CHECK(findings_of(c, "user-namespace")[0].message.find("overflows") != std::string::npos); // U3
  c["linux"]["uidMappings"] = map(R"([{"containerID":0,"hostID":100000,"size":0}])");
  CHECK(findings_of(c, "user-namespace")[0].message.find("empty") != std::string::npos);

  c = compliant(); // U4: 341 extents refused, 340 accepted
  Json extents = Json::array();
  for (std::uint32_t i = 0; i < 341; ++i) {
    extents.push_back({{"containerID", i * 100}, {"hostID", 100000 + i * 100}, {"size", 100}});
  }
  c["linux"]["uidMappings"] = extents;
  c["process"]["user"]["uid"] = 1;
  auto f341 = findings_of(c, "user-namespace");
  REQUIRE(f341.size() == 1);
  CHECK(f341[0].message.find("kernel limit is 340") != std::string::npos);
  extents.erase(extents.size() - 1);
  c["linux"]["uidMappings"] = extents;
  CHECK(findings_of(c, "user-namespace").empty());

  c = compliant(); // U5: outside the allocation
  c["linux"]["uidMappings"] = map(R"([{"containerID":0,"hostID":300000,"size":65536}])");
  CHECK(findings_of(c, "user-namespace")[0].message.find("not in the allocation") != std::string::npos);

  c = compliant(); // U6: service uid not mapped
  c["linux"]["uidMappings"] = map(R"([{"containerID":0,"hostID":100000,"size":1000}])");
  CHECK(findings_of(c, "user-namespace")[0].pointer == "/process/user/uid");

  c = compliant(); // U7: gid mappings missing
  c["linux"].erase("gidMappings");
  CHECK(findings_of(c, "user-namespace")[0].pointer == "/linux/gidMappings");

  c = compliant(); // joining a user namespace by path
  for (auto& ns : c["linux"]["namespaces"]) {
    if (ns["type"] == "user") {
      ns["path"] = "/proc/1/ns/user";
    }
  }
  CHECK(findings_of(c, "user-namespace")[0].message.find("joins an existing user namespace") != std::string::npos);
}

TEST_CASE("user-namespace: the remedy says how to get one", "[hardrun::check][user-namespace]")
{
  const auto bridge = findings_of(golden_input("default"), "user-namespace");
  REQUIRE(bridge.size() == 1);
  CHECK(bridge[0].remedy.find("--userns=auto") != std::string::npos);
  CHECK(bridge[0].remedy.find("--uidmap") != std::string::npos);
  CHECK(bridge[0].remedy.find("containers.conf") != std::string::npos);

  const hardrun::policy::IdAllocation empty{{}, {}, "/etc/subuid and /etc/subgid for user containers"};
  const hardrun::modify::Context ctx{hardrun::test::test_policy(), empty};
  const auto f = validate(golden_input("network-none"), ctx);
  const auto hit = std::find_if(f.begin(), f.end(), [](const Finding& x) { return x.rule == "user-namespace"; });
  REQUIRE(hit != f.end());
  CHECK(hit->remedy.find("usermod --add-subuids") != std::string::npos);
}

TEST_CASE("refusal rules: host namespaces (C8)", "[hardrun::check][no-host-namespaces]")
{
  for (const char* type : {"pid", "network", "ipc", "uts", "mount"}) {
    INFO(type);
    Json c = compliant();
    auto& nss = c["linux"]["namespaces"];
    nss.erase(std::remove_if(nss.begin(), nss.end(), [&](const Json& ns) { return ns["type"] == type; }), nss.end());
    const auto f = findings_of(c, "no-host-namespaces");
    REQUIRE(f.size() == 1);
    CHECK(f[0].message == std::string("shares the host's ") + type + " namespace");
  }
  Json c = compliant();
  for (auto& ns : c["linux"]["namespaces"]) {
    if (ns["type"] == "pid") {
      ns["path"] = "/proc/1/ns/pid";
    }
  }
  CHECK(findings_of(c, "no-host-namespaces")[0].message.find("joins the pid namespace at /proc/1/ns/pid") != std::string::npos);

  // podman's pre-created network namespaces are not host namespaces.
  CHECK(findings_of(golden_input("default"), "no-host-namespaces").empty());
  for (auto& ns : c["linux"]["namespaces"]) {
    ns.erase("path");
    if (ns["type"] == "network") {
      ns["path"] = "/run/netns/../../proc/1/ns/net";
    }
  }
  CHECK(findings_of(c, "no-host-namespaces").size() == 1);
}

TEST_CASE("refusal rules: sensitive host bind mounts (C10)", "[hardrun::check][no-sensitive-mounts]")
{
  for (const char* source : {"/", "/etc", "/var/run/docker.sock", "/run/podman/podman.sock", "/var/lib/containers/storage",
                             "/proc", "/sys/kernel", "/var", "//etc/", "/dev/sda", "/etc/volumes/x/_data"}) {
    INFO(source);
    Json c = compliant();
    c["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", source}, {"options", {"rbind", "ro"}}});
    CHECK(findings_of(c, "no-sensitive-mounts").size() == 1);
  }
  Json c = compliant();
  c["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", "/srv/app-data"}, {"options", {"rbind"}}});
  c["mounts"].push_back({{"destination", "/v"}, {"type", "bind"}, {"source", "/var/lib/containers/storage/volumes/v1/_data"}, {"options", {"rbind"}}});
  CHECK(findings_of(c, "no-sensitive-mounts").empty());
  // The container's own state files come from the (sensitive) storage; another container's do not.
  Json own = golden_input("default");
  CHECK(findings_of(own, "no-sensitive-mounts").empty());
  const std::string other = "/var/lib/containers/storage/overlay-containers/" + std::string(64, 'a') + "/userdata/hosts";
  own["mounts"].push_back({{"destination", "/x"}, {"type", "bind"}, {"source", other}, {"options", {"bind"}}});
  CHECK(findings_of(own, "no-sensitive-mounts").size() == 1);
  // The container's own userdata directory itself (config.json, env secrets) is not podman's bind.
  const std::string id(64, 'c');
  Json whole = compliant();
  auto& wm = whole["mounts"];
  wm.erase(std::remove_if(wm.begin(), wm.end(), [](const Json& m) { return m.value("type", "") == "bind"; }), wm.end());
  const std::string dir = "/var/lib/containers/storage/overlay-containers/" + id + "/userdata";
  whole["mounts"].push_back({{"destination", "/etc/hosts"}, {"type", "bind"}, {"source", dir + "/hosts"}, {"options", {"bind"}}});
  CHECK(findings_of(whole, "no-sensitive-mounts", {id}).empty());
  whole["mounts"].push_back({{"destination", "/x"}, {"type", "bind"}, {"source", dir}, {"options", {"bind"}}});
  CHECK(findings_of(whole, "no-sensitive-mounts", {id}).size() == 1);
  // With the bundle's container id known, even the first userdata source must match it.
  Json single = compliant();
  auto& ms = single["mounts"];
  ms.erase(std::remove_if(ms.begin(), ms.end(), [](const Json& m) { return m.value("type", "") == "bind"; }), ms.end());
  single["mounts"].push_back({{"destination", "/x"}, {"type", "bind"}, {"source", other}, {"options", {"bind"}}});
  CHECK(findings_of(single, "no-sensitive-mounts").empty());
  CHECK(findings_of(single, "no-sensitive-mounts", {std::string(64, 'b')}).size() == 1);
}

TEST_CASE("refusal rules: devices, kernel filesystems, mount destinations, cwd, LSM", "[hardrun::check]")
{
  Json c = compliant();
  c["linux"]["devices"] = Json::parse(R"([{"path":"/dev/fuse","type":"c","major":10,"minor":229}])");
  CHECK(findings_of(c, "no-devices")[0].message.find("/dev/fuse") != std::string::npos);
  c = compliant();
  c["linux"]["resources"]["devices"] = Json::parse(R"([{"allow":true,"access":"rwm"}])");
  CHECK(findings_of(c, "no-devices")[0].pointer == "/linux/resources/devices/0");

  c = compliant(); // C9: /sys/fs/cgroup rw
  for (auto& m : c["mounts"]) {
    if (m["type"] == "cgroup") {
      m["options"] = {"nosuid", "noexec", "nodev", "rw"};
    }
  }
  CHECK(findings_of(c, "no-writable-kernel-fs").size() == 1);

  for (const char* dest : {"/proc", "/proc/sys", "/sys/kernel", "/dev"}) {
    INFO(dest);
    c = compliant();
    c["mounts"].push_back({{"destination", dest}, {"type", "bind"}, {"source", "/srv/x"}, {"options", {"rbind", "ro"}}});
    CHECK(findings_of(c, "safe-mount-destinations").size() == 1);
  }
  c = compliant();
  c["mounts"].push_back({{"destination", "/data/../../etc"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
  CHECK(findings_of(c, "safe-mount-destinations")[0].message.find("contains ..") != std::string::npos);

  for (const char* cwd : {"/proc/self/fd/7", "/../..", "relative", "/sys"}) { // C3
    INFO(cwd);
    c = compliant();
    c["process"]["cwd"] = cwd;
    CHECK(findings_of(c, "safe-cwd").size() == 1);
  }

  c = compliant(); // C17
  c["process"]["apparmorProfile"] = "unconfined";
  CHECK(findings_of(c, "no-unconfined-lsm").size() == 1);
  c["process"]["apparmorProfile"] = "containers-default-0.50.1";
  CHECK(findings_of(c, "no-unconfined-lsm").empty());
  c["process"]["selinuxLabel"] = "system_u:system_r:spc_t:s0";
  CHECK(findings_of(c, "no-unconfined-lsm").size() == 1);
}

TEST_CASE("every rule name is reported somewhere and documented in the chain order", "[hardrun::check]")
{
  const auto names = hardrun::check::rule_names();
  CHECK(names.size() == 17);
  const auto modifiers = hardrun::modify::modifier_names();
  for (const auto& m : modifiers) {
    CHECK(std::find(names.begin(), names.end(), m) != names.end());
  }
}

TEST_CASE("no-secret-env: secret-looking env is refused only when the profile says so (C11)")
{
  auto ctx = hardrun::test::test_context();
  REQUIRE(ctx.policy.secret_env);
  Json c = Json::parse(R"({"process":{"env":["PATH=/bin","DB_PASSWORD=hunter2","API_TOKEN=","GPG_KEY=ABCD",
    "TLS=-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----"]}})");
  const auto all = hardrun::check::validate(c, ctx);
  std::vector<std::string> pointers;
  for (const auto& f : all) {
    if (f.rule == "no-secret-env") {
      pointers.push_back(f.pointer);
    }
  }
  CHECK(pointers == std::vector<std::string>{"/process/env/1", "/process/env/4"});
  hardrun::policy::Policy off = ctx.policy;
  off.secret_env = false;
  const hardrun::modify::Context ctx_off{off, ctx.allocation};
  for (const auto& f : hardrun::check::validate(c, ctx_off)) {
    CHECK(f.rule != "no-secret-env");
  }
}
