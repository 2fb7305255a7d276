// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/runtime/shim.hpp"

using hardrun::spec::Json;
namespace runtime = hardrun::runtime;

namespace {
runtime::HookSpec
hook()
{
  hardrun::config::Config c = hardrun::config::defaults();
  c.hook_path = "/usr/libexec/hardrun/hardrun-hook";
  return runtime::hook_spec(c, "/etc/hardrun/hardrun.json", std::nullopt);
}
} // namespace

TEST_CASE("shim: the hook is injected once, first in prestart, with env and timeout")
{
  auto ctx = hardrun::test::test_context();
  Json config = Json::parse(R"({"hooks":{"prestart":[{"path":"/other"}],
    "createRuntime":[{"path":"/usr/libexec/hardrun/hardrun-hook"}]}})");
  const runtime::InjectHook inject(hook());
  auto changes = inject.apply(config, ctx);
  REQUIRE(changes);
  CHECK_FALSE(changes->empty());
  REQUIRE(config["hooks"]["prestart"].size() == 2);
  CHECK(config["hooks"]["prestart"][0]["path"] == "/usr/libexec/hardrun/hardrun-hook");
  CHECK(config["hooks"]["prestart"][0]["env"] == Json::array({"PATH=/usr/sbin:/usr/bin", "LC_ALL=C"}));
  CHECK(config["hooks"]["prestart"][0]["args"] == Json::array({"hardrun-hook", "--config", "/etc/hardrun/hardrun.json"}));
  CHECK(config["hooks"]["prestart"][0]["timeout"].get<int>() >= 15);
  CHECK(config["hooks"]["createRuntime"].empty());
  CHECK(runtime::check_hooks(config, "/usr/libexec/hardrun/hardrun-hook", true).empty());
  auto again = inject.apply(config, ctx);
  REQUIRE(again);
  CHECK(again->empty()); // idempotent
}

TEST_CASE("shim: hook checks (R6, C18, C19)")
{
  const std::string path = "/usr/libexec/hardrun/hardrun-hook";
  CHECK(runtime::check_hooks(Json::object(), path, true).size() == 1);
  CHECK(runtime::check_hooks(Json::object(), path, false).empty());
  // Present but without env or timeout: refused.
  auto weak = Json::parse(R"({"hooks":{"prestart":[{"path":"/usr/libexec/hardrun/hardrun-hook"}]}})");
  CHECK_FALSE(runtime::check_hooks(weak, path, true).empty());
  // A createContainer hook without env inherits the container's env (NVIDIAScape).
  auto nv = Json::parse(R"({"hooks":{"createContainer":[{"path":"/usr/bin/nvidia-ctk"}]}})");
  const auto f = runtime::check_hooks(nv, path, false);
  REQUIRE(f.size() == 1);
  CHECK_THAT(f[0].message, Catch::Contains("no explicit env"));
}

TEST_CASE("shim: secret mounts are pointed at the container's directory, read-only and inert")
{
  auto ctx = hardrun::test::test_context();
  const std::string id(64, 'b');
  Json config = Json::parse(R"({"mounts":[
    {"destination":"/run/secrets/key.pem","type":"bind","source":"/run/hardrun/secrets/stage-1234/key.pem","options":["rbind"]},
    {"destination":"/x","type":"bind","source":"/run/hardrun/secrets/ctr-other/key.pem","options":["ro"]},
    {"destination":"/y","type":"bind","source":"/run/hardrun/secrets/stage-1/a/b","options":["ro"]}]})");
  const auto found = runtime::find_secret_mounts(config, "/run/hardrun/secrets", id);
  REQUIRE(found.size() == 1);
  CHECK(found[0].staged);
  CHECK(found[0].name == "key.pem");
  const runtime::BindSecrets bind("/run/hardrun/secrets", id);
  auto changes = bind.apply(config, ctx);
  REQUIRE(changes);
  CHECK(changes->size() == 2);
  CHECK(config["mounts"][0]["source"] == "/run/hardrun/secrets/ctr-" + id + "/key.pem");
  CHECK(config["mounts"][0]["options"] == Json::array({"bind", "rprivate", "ro", "nosuid", "nodev", "noexec"}));
  CHECK(config["mounts"][1]["source"] == "/run/hardrun/secrets/ctr-other/key.pem"); // not ours: left to the validator
}

TEST_CASE("shim: the secret's owner is the process user mapped to the host")
{
  auto config = Json::parse(R"({"process":{"user":{"uid":10001,"gid":10002}},
    "linux":{"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],
             "gidMappings":[{"containerID":0,"hostID":200000,"size":65536}]}})");
  const auto owner = runtime::host_owner_of_process(config);
  REQUIRE(owner);
  CHECK(owner->uid == 110001);
  CHECK(owner->gid == 210002);
  config["process"]["user"]["uid"] = 70000;
  CHECK_FALSE(runtime::host_owner_of_process(config));
}

TEST_CASE("shim: exec processes (E16, H4)")
{
  auto ctx = hardrun::test::test_context();
  auto ok = Json::parse(R"({"user":{"uid":10001,"gid":10001},"args":["id"],"cwd":"/","capabilities":{"bounding":[],"effective":[]}})");
  auto out = runtime::harden_process(ok, ctx.policy);
  REQUIRE(out);
  CHECK(out->findings.empty());
  CHECK(ok["noNewPrivileges"] == true);
  auto priv = Json::parse(R"({"user":{"uid":10001,"gid":10001},"args":["id"],"cwd":"/","capabilities":{"bounding":["CAP_SYS_ADMIN"]}})");
  out = runtime::harden_process(priv, ctx.policy);
  REQUIRE(out);
  REQUIRE(out->findings.size() == 1);
  CHECK(out->findings[0].rule == "exec-privileged");
  auto root = Json::parse(R"({"user":{"uid":0,"gid":0,"additionalGids":[0]},"args":["id"],"cwd":"/proc/self/fd/7"})");
  out = runtime::harden_process(root, ctx.policy);
  REQUIRE(out);
  CHECK(out->findings.size() == 4);
  auto unknown = Json::parse(R"({"user":{"uid":1,"gid":1},"args":["id"],"cwd":"/","capabilities":{"bounding2":[]}})");
  CHECK_FALSE(runtime::harden_process(unknown, ctx.policy));
}
