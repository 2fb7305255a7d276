// SPDX-License-Identifier: Apache-2.0
#include <filesystem>

#include "../support.hpp"
#include "hardrun/modify/modifier.hpp"
#include "hardrun/spec/document.hpp"

using hardrun::spec::find;
using hardrun::spec::Json;
using hardrun::test::golden_input;
using hardrun::test::test_context;
namespace modify = hardrun::modify;

namespace {

const modify::Modifier&
modifier(std::string_view name)
{
  static const auto chain = modify::default_chain();
  for (const auto& m : chain) {
    if (m->name() == name) {
      return *m;
    }
  }
  FAIL("no modifier " << name);
  throw std::logic_error("unreachable");
}

modify::Changes
apply_one(std::string_view name, Json& config)
{
  auto r = modifier(name).apply(config, test_context());
  REQUIRE(r.has_value());
  for (const auto& c : *r) {
    CHECK(c.modifier == name);
  }
  return *r;
}

std::vector<std::string>
golden_names()
{
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(hardrun::test::data_path("golden"))) {
    const auto f = e.path().filename().string();
    if (f.size() > 8 && f.substr(f.size() - 8) == ".in.json") {
      names.push_back(f.substr(0, f.size() - 8));
    }
  }
  std::sort(names.begin(), names.end());
  REQUIRE(names.size() >= 15);
  return names;
}

} // namespace

TEST_CASE("the chain has a stable order and names", "[hardrun::modify]")
{
  CHECK(modify::modifier_names() == std::vector<std::string>{"user-namespace", "non-root-user", "drop-capabilities",
                                                              "no-new-privileges", "read-only-root", "masked-paths",
                                                              "readonly-paths", "pids-limit", "seccomp"});
}

TEST_CASE("every modifier is idempotent on every captured podman config", "[hardrun::modify][idempotence]")
{
  for (const auto& name : golden_names()) {
    for (const auto& m : modify::default_chain()) {
      INFO(name << " / " << m->name());
      Json once = golden_input(name);
      REQUIRE(m->apply(once, test_context()).has_value());
      Json twice = once;
      auto again = m->apply(twice, test_context());
      REQUIRE(again.has_value());
      CHECK(again->empty());
      CHECK(twice == once);
    }
    INFO(name << " / whole chain");
    Json once = golden_input(name);
    const auto chain = modify::default_chain();
    REQUIRE(modify::apply_chain(chain, once, test_context()).has_value());
    Json twice = once;
    auto again = modify::apply_chain(chain, twice, test_context());
    REQUIRE(again.has_value());
    CHECK(again->empty());
    CHECK(twice == once);
  }
}

TEST_CASE("drop-capabilities empties all five sets (C4)", "[hardrun::modify][drop-capabilities]")
{
  for (const char* set : {"bounding", "effective", "inheritable", "permitted", "ambient"}) {
    INFO(set);
    Json c = golden_input("already-hardened");
    c["process"]["capabilities"] = {{set, {"CAP_SYS_ADMIN"}}};
    const auto changes = apply_one("drop-capabilities", c);
    CHECK_FALSE(changes.empty());
    for (const char* s : {"bounding", "effective", "inheritable", "permitted", "ambient"}) {
      CHECK(c["process"]["capabilities"][s] == Json::array());
    }
  }
}

TEST_CASE("drop-capabilities keeps an allowed capability in every set so a non-root uid can use it", "[hardrun::modify][drop-capabilities]")
{
  auto p = hardrun::policy::load_file(hardrun::test::source_path("policies/network-service.json"));
  REQUIRE(p.has_value());
  const modify::Context ctx{*p, hardrun::test::test_allocation()};
  Json c = golden_input("group-add-root"); // non-root: podman wrote only the bounding set
  c["process"]["capabilities"]["bounding"].push_back("CAP_SYS_ADMIN");
  auto r = modifier("drop-capabilities").apply(c, ctx);
  REQUIRE(r.has_value());
  for (const char* s : {"bounding", "effective", "inheritable", "permitted", "ambient"}) {
    CHECK(c["process"]["capabilities"][s] == Json::array({"CAP_NET_BIND_SERVICE"}));
  }
  // Not requested by the config: not granted.
  Json none = golden_input("already-hardened");
  REQUIRE(modifier("drop-capabilities").apply(none, ctx).has_value());
  CHECK(none["process"]["capabilities"]["ambient"] == Json::array());
}

TEST_CASE("non-root-user rewrites root and nobody, and fixes supplementary groups (C7, U8)", "[hardrun::modify][non-root-user]")
{
  Json c = golden_input("user-root");
  apply_one("non-root-user", c);
  CHECK(c["process"]["user"]["uid"] == 10001);
  CHECK(c["process"]["user"]["gid"] == 10001);
  CHECK(c["process"]["user"]["additionalGids"] == Json::array({10001}));

  c = golden_input("group-add-root"); // --user 1000:1000 --group-add 0
  apply_one("non-root-user", c);
  CHECK(c["process"]["user"]["uid"] == 1000);
  CHECK(c["process"]["user"]["additionalGids"] == Json::array({1000}));

  c["process"]["user"] = {{"uid", 65534}, {"gid", 2000}, {"additionalGids", {3000}}};
  apply_one("non-root-user", c);
  CHECK(c["process"]["user"]["uid"] == 10001);
  CHECK(c["process"]["user"]["gid"] == 2000);
  CHECK(c["process"]["user"]["additionalGids"] == Json::array({2000, 3000}));
}

TEST_CASE("user-namespace is added only where the runtime can start it", "[hardrun::modify][user-namespace]")
{
  Json c = golden_input("network-none"); // the runtime creates the network namespace
  const auto changes = apply_one("user-namespace", c);
  CHECK(changes.size() == 3);
  CHECK(c["linux"]["namespaces"].back() == Json{{"type", "user"}});
  CHECK(c["linux"]["uidMappings"] == Json::parse(R"([{"containerID":0,"hostID":100000,"size":65536}])"));
  CHECK(c["linux"]["gidMappings"] == Json::parse(R"([{"containerID":0,"hostID":100000,"size":65536}])"));

  // podman's bridge network: the namespace exists before the container, so nothing is added.
  Json bridge = golden_input("default");
  CHECK(apply_one("user-namespace", bridge).empty());
  CHECK(bridge == golden_input("default"));
  // Host network: nothing added (no-host-namespaces refuses it).
  Json host = golden_input("network-host");
  CHECK(apply_one("user-namespace", host).empty());
  // Already there (podman --uidmap): left for the validator.
  Json mapped = golden_input("uidmap");
  CHECK(apply_one("user-namespace", mapped).empty());

  // No allocation: nothing added.
  const hardrun::policy::IdAllocation empty{{}, {}, "/etc/subuid"};
  const modify::Context ctx{hardrun::test::test_policy(), empty};
  Json none = golden_input("network-none");
  CHECK(modifier("user-namespace").apply(none, ctx)->empty());
}

TEST_CASE("read-only-root sets readonly and inserts tmpfs before mounts below it", "[hardrun::modify][read-only-root]")
{
  Json c = golden_input("default");
  const auto changes = apply_one("read-only-root", c);
  CHECK(c["root"]["readonly"] == true);
  std::vector<std::string> dests;
  for (const auto& m : c["mounts"]) {
    dests.push_back(m["destination"]);
  }
  const auto run = std::find(dests.begin(), dests.end(), "/run");
  const auto env = std::find(dests.begin(), dests.end(), "/run/.containerenv");
  REQUIRE(run != dests.end());
  REQUIRE(env != dests.end());
  CHECK(run < env); // /run/.containerenv stays visible on top of the tmpfs
  CHECK(std::count(dests.begin(), dests.end(), "/tmp") == 1);
  // The recorded insertions, replayed in order on the original (JSON Patch "add"), give the result.
  Json replay = golden_input("default")["mounts"];
  for (const auto& ch : changes) {
    if (ch.pointer.rfind("/mounts/", 0) == 0) {
      CHECK_FALSE(ch.before.has_value());
      const auto index = std::stoul(ch.pointer.substr(8));
      replay.insert(replay.begin() + static_cast<std::ptrdiff_t>(index), *ch.after);
    }
  }
  CHECK(replay == c["mounts"]);
  // A tmpfs podman already mounted (--read-only, --tmpfs) is kept as it is.
  Json hardened = golden_input("already-hardened");
  const auto before = hardened["mounts"];
  apply_one("read-only-root", hardened);
  CHECK(hardened["mounts"] == before);
}

TEST_CASE("seccomp replaces absent or allow-all filters and keeps a confining one (C17)", "[hardrun::modify][seccomp]")
{
  Json c = golden_input("seccomp-unconfined");
  REQUIRE(find(c, "/linux/seccomp") == nullptr);
  apply_one("seccomp", c);
  CHECK(c["linux"]["seccomp"] == hardrun::test::test_policy().seccomp_profile);

  c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", Json::array()}};
  apply_one("seccomp", c);
  CHECK(c["linux"]["seccomp"]["defaultAction"] == "SCMP_ACT_ERRNO");

  Json podman = golden_input("default");
  const Json filter = podman["linux"]["seccomp"];
  CHECK(apply_one("seccomp", podman).empty());
  CHECK(podman["linux"]["seccomp"] == filter);
}

TEST_CASE("masked-paths, readonly-paths, pids-limit, no-new-privileges (C5, C12)", "[hardrun::modify]")
{
  Json c = golden_input("privileged"); // --privileged drops both lists
  REQUIRE(find(c, "/linux/maskedPaths") == nullptr);
  apply_one("masked-paths", c);
  apply_one("readonly-paths", c);
  CHECK(c["linux"]["maskedPaths"].size() == hardrun::test::test_policy().masked_paths.size());
  CHECK(std::find(c["linux"]["readonlyPaths"].begin(), c["linux"]["readonlyPaths"].end(), "/proc/sys") != c["linux"]["readonlyPaths"].end());

  apply_one("pids-limit", c);
  CHECK(c["linux"]["resources"]["pids"]["limit"] == 512);
  c["linux"]["resources"]["pids"]["limit"] = 100;
  CHECK(apply_one("pids-limit", c).empty()); // a lower limit is kept
  c["linux"]["resources"]["pids"]["limit"] = -1;
  apply_one("pids-limit", c);
  CHECK(c["linux"]["resources"]["pids"]["limit"] == 512);

  c["process"]["noNewPrivileges"] = false;
  const auto ch = apply_one("no-new-privileges", c);
  REQUIRE(ch.size() == 1);
  CHECK(*ch[0].before == false);
  CHECK(c["process"]["noNewPrivileges"] == true);
}

TEST_CASE("modifiers leave fields outside their concern alone", "[hardrun::modify]")
{
  Json c = golden_input("default");
  c["x-vendor"] = {{"keep", {1, 2, 3}}};
  c["annotations"]["io.example/x"] = "y";
  REQUIRE(modify::apply_chain(modify::default_chain(), c, test_context()).has_value());
  CHECK(c["x-vendor"] == Json{{"keep", {1, 2, 3}}});
  CHECK(c["annotations"]["io.example/x"] == "y");
  CHECK(c["process"]["args"] == golden_input("default")["process"]["args"]);
  CHECK(c["process"]["env"] == golden_input("default")["process"]["env"]);
  CHECK(c["hostname"] == golden_input("default")["hostname"]);
}
