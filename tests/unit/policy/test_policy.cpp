// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>

#include "../support.hpp"
#include "hardrun/policy/policy.hpp"

using hardrun::Errc;
using hardrun::spec::Json;
using hardrun::test::source_path;
using hardrun::test::TempDir;
using hardrun::test::write_text;
namespace policy = hardrun::policy;

namespace {

Json
strict()
{
  Json j = Json::parse(hardrun::test::read_text(source_path("policies/strict.json")));
  j["seccomp"]["profile"] = source_path("policies/seccomp/default.json");
  return j;
}

std::string
load_error(const std::string& text, Errc code = Errc::invalid_input)
{
  TempDir dir;
  const auto path = dir.file("p.json");
  write_text(path, text);
  auto r = policy::load_file(path);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  std::string what = r.error().what();
  // Every error names the file.
  CHECK_THAT(what, Catch::Contains(path));
  return what;
}

std::string
load_error_json(const Json& j)
{
  return load_error(j.dump(2));
}

} // namespace

TEST_CASE("the shipped profiles load", "[hardrun::policy]")
{
  for (const char* name : {"strict", "network-service"}) {
    auto p = policy::load_file(source_path(std::string("policies/") + name + ".json"));
    REQUIRE(p.has_value());
    CHECK(p->name == name);
    CHECK(p->uid == 10001);
    CHECK(p->user_namespace.subid_user == "containers");
    CHECK(p->seccomp_profile["defaultAction"] == "SCMP_ACT_ERRNO");
    CHECK(p->tmpfs.size() == 2);
  }
  auto net = policy::load_file(source_path("policies/network-service.json"));
  CHECK(net->allowed_capabilities == std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
}

TEST_CASE("profile lookup by name and by path", "[hardrun::policy]")
{
  CHECK_THAT(policy::load("no-such-profile").error().what(), Catch::Contains("profile \"no-such-profile\" not found"));
  CHECK(policy::load("no-such-profile").error().code == Errc::not_found);
  CHECK(policy::load("Bad Name").error().code == Errc::invalid_input);
  CHECK(policy::load(source_path("policies/strict.json")).has_value());
}

TEST_CASE("missing, empty, malformed and truncated profiles (P1-P3, P9)", "[hardrun::policy]")
{
  auto missing = policy::load_file("/nonexistent/hardrun/p.json");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == Errc::not_found);
  CHECK_THAT(missing.error().what(), Catch::Contains("/nonexistent/hardrun/p.json: No such file"));

  CHECK_THAT(load_error(""), Catch::Contains("empty document"));
  CHECK_THAT(load_error("{}"), Catch::Contains("/hardrunProfile: missing"));
  CHECK_THAT(load_error("{\"hardrunProfile\": 1,"), Catch::Contains("byte"));
  const std::string full = strict().dump(2);
  CHECK_THAT(load_error(full.substr(0, full.size() / 2)), Catch::Contains("parse error"));
}

TEST_CASE("unknown keys are errors naming the key (P4)", "[hardrun::policy]")
{
  Json j = strict();
  j["requireDigset"] = true;
  CHECK_THAT(load_error_json(j), Catch::Contains("/requireDigset: unknown key"));

  j = strict();
  j["drop-capabilities"]["alow"] = Json::array();
  CHECK_THAT(load_error_json(j), Catch::Contains("/drop-capabilities/alow: unknown key"));

  j = strict();
  j["read-only-root"]["tmpfs"][0]["opts"] = Json::array();
  CHECK_THAT(load_error_json(j), Catch::Contains("/read-only-root/tmpfs/0/opts: unknown key"));

  j = strict();
  j.erase("seccomp");
  CHECK_THAT(load_error_json(j), Catch::Contains("/seccomp: missing"));
}

TEST_CASE("a profile cannot switch a protection off (P5)", "[hardrun::policy]")
{
  for (const char* key : {"read-only-root", "drop-capabilities", "seccomp", "user-namespace", "no-sensitive-mounts"}) {
    Json j = strict();
    j[key] = false;
    CHECK_THAT(load_error_json(j), Catch::Contains(std::string("/") + key + ": cannot be false"));
  }
  Json j = strict();
  j["drop-capabilities"]["allow"] = Json::array({"CAP_SYS_ADMIN"});
  CHECK_THAT(load_error_json(j), Catch::Contains("CAP_SYS_ADMIN amounts to host root"));
  j["drop-capabilities"]["allow"] = Json::array({"CAP_NET_BIND_SERVIC"});
  CHECK_THAT(load_error_json(j), Catch::Contains("/drop-capabilities/allow/0: unknown capability \"CAP_NET_BIND_SERVIC\""));
  j["drop-capabilities"]["allow"] = Json::array({"net_bind_service"});
  CHECK_THAT(load_error_json(j), Catch::Contains("unknown capability"));

  j = strict();
  j["non-root-user"]["uid"] = 0;
  CHECK_THAT(load_error_json(j), Catch::Contains("/non-root-user/uid: must not be 0"));
  j["non-root-user"]["uid"] = 65534;
  CHECK_THAT(load_error_json(j), Catch::Contains("/non-root-user/uid: must not be 0, 65534"));

  j = strict();
  j["read-only-root"]["tmpfs"][0]["options"] = Json::array({"nodev", "exec"});
  CHECK_THAT(load_error_json(j), Catch::Contains("must contain \"nosuid\""));
  j["read-only-root"]["tmpfs"][0]["options"] = Json::array({"nosuid", "nodev", "suid"});
  CHECK_THAT(load_error_json(j), Catch::Contains("unknown tmpfs option \"suid\""));

  j = strict();
  j["no-sensitive-mounts"]["allow"] = Json::array({"/"});
  CHECK_THAT(load_error_json(j), Catch::Contains("\"/\" cannot be allowed"));
  j = strict();
  j["no-sensitive-mounts"]["paths"] = Json::array({"/etc"});
  CHECK_THAT(load_error_json(j), Catch::Contains("must contain \"/\""));

  j = strict();
  j["user-namespace"] = {{"uidRanges", {{{"start", 0}, {"size", 65536}}}}, {"gidRanges", {{{"start", 100000}, {"size", 65536}}}}, {"size", 65536}};
  CHECK_THAT(load_error_json(j), Catch::Contains("/user-namespace/uidRanges/0/start: must not be 0"));
  j["user-namespace"] = {{"subidUser", "containers"}, {"size", 1000}};
  CHECK_THAT(load_error_json(j), Catch::Contains("/user-namespace/size: must be larger than the service uid"));
  j["user-namespace"] = {{"size", 65536}};
  CHECK_THAT(load_error_json(j), Catch::Contains("either \"subidUser\""));
}

TEST_CASE("profile file permissions (P6)", "[hardrun::policy]")
{
  TempDir dir;
  const auto path = dir.file("p.json");
  write_text(path, strict().dump());
  REQUIRE(::chmod(path.c_str(), 0666) == 0);
  auto r = policy::load_file(path);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::insecure);
  CHECK_THAT(r.error().what(), Catch::Contains("insecure permissions"));
}

TEST_CASE("seccomp profiles: names resolved with libseccomp per architecture", "[hardrun::policy][seccomp]")
{
  Json s = Json::parse(hardrun::test::read_text(source_path("policies/seccomp/default.json")));
  CHECK(policy::check_seccomp_profile(s).has_value());

  Json bad = s;
  bad["syscalls"][0]["names"].push_back("not_a_syscall");
  auto r = policy::check_seccomp_profile(bad);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().what(), Catch::Contains("unknown syscall \"not_a_syscall\" for SCMP_ARCH_X86_64"));

  bad = s;
  bad["architectures"].push_back("SCMP_ARCH_VAX");
  CHECK_THAT(policy::check_seccomp_profile(bad).error().what(), Catch::Contains("unknown architecture \"SCMP_ARCH_VAX\""));

  bad = s;
  bad["defaultAction"] = "SCMP_ACT_ALLOW";
  CHECK_THAT(policy::check_seccomp_profile(bad).error().what(), Catch::Contains("no confinement"));

  bad = s;
  bad["syscalls"][1]["args"][0]["op"] = "SCMP_CMP_ALMOST";
  CHECK_THAT(policy::check_seccomp_profile(bad).error().what(), Catch::Contains("unknown operator"));

  bad = s;
  bad["syscalls"][0]["comment"] = "x";
  CHECK_THAT(policy::check_seccomp_profile(bad).error().what(), Catch::Contains("/syscalls/0/comment: unknown key"));

  // The error reaches the profile loader with file and key.
  TempDir dir;
  bad = s;
  bad["syscalls"][0]["names"].push_back("not_a_syscall");
  write_text(dir.file("seccomp.json"), bad.dump());
  Json p = strict();
  p["seccomp"]["profile"] = "seccomp.json"; // relative to the profile file
  write_text(dir.file("p.json"), p.dump());
  auto loaded = policy::load_file(dir.file("p.json"));
  REQUIRE_FALSE(loaded.has_value());
  CHECK_THAT(loaded.error().what(), Catch::Contains(dir.file("seccomp.json")));
  CHECK_THAT(loaded.error().what(), Catch::Contains("not_a_syscall"));
}

TEST_CASE("allocation: from the profile or from subuid/subgid via the Env seam", "[hardrun::policy]")
{
  struct FakeEnv final : hardrun::sys::Env {
    mutable std::vector<std::string> calls;
    hardrun::Result<std::vector<hardrun::sys::HostRange>>
    subid_ranges(hardrun::sys::IdKind kind, std::string_view user) const override
    {
      calls.push_back(std::string(kind == hardrun::sys::IdKind::uid ? "uid:" : "gid:") + std::string(user));
      return std::vector<hardrun::sys::HostRange>{{kind == hardrun::sys::IdKind::uid ? 200000U : 300000U, 65536}};
    }
  } env;
  auto strict_p = policy::load_file(source_path("policies/strict.json"));
  REQUIRE(strict_p.has_value());
  auto a = policy::resolve_allocation(*strict_p, env);
  REQUIRE(a.has_value());
  CHECK(a->uids.front().start == 200000);
  CHECK(a->gids.front().start == 300000);
  CHECK(env.calls == std::vector<std::string>{"uid:containers", "gid:containers"});

  auto explicit_a = policy::resolve_allocation(hardrun::test::test_policy(), env);
  REQUIRE(explicit_a.has_value());
  CHECK(explicit_a->uids.front().start == 100000);
  CHECK(env.calls.size() == 2);
}
