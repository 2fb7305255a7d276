// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/config/config.hpp"

using namespace hardrun;

TEST_CASE("config: defaults are the strict settings")
{
  const auto c = config::defaults();
  CHECK(c.mode == config::Mode::enforce);
  CHECK(c.require_hook);
  CHECK(c.signature_policy == "/etc/containers/policy.json");
  CHECK(c.profile == "strict");
  CHECK(c.hook_timeout_seconds * 1000 >= c.hook_deadline.count() + 5000);
}

TEST_CASE("config: a full file parses")
{
  const auto c = config::parse(R"({"hardrunConfig":1,"mode":"warn","signaturePolicy":"/etc/x/policy.json",
    "registriesDir":"/etc/x/registries.d","profile":"network-service","identitySource":"cri-o",
    "hookDeadlineMs":2000,"hookTimeoutSeconds":10,"hookPath":"/usr/lib/hardrun/hardrun-hook",
    "requireHook":true,"injectHook":false,"secretsDir":"/run/x/secrets","runtime":"/usr/bin/runc",
    "exceptions":[{"digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","reason":"vendor image, ticket 42"}]})",
                               "/etc/hardrun/hardrun.json");
  REQUIRE(c);
  CHECK(c->mode == config::Mode::warn);
  CHECK(c->identity_source == config::IdentitySource::cri_o);
  CHECK(c->hook_deadline.count() == 2000);
  CHECK(c->runtime == "/usr/bin/runc");
  CHECK_FALSE(c->inject_hook);
  CHECK(c->secrets_dir == "/run/x/secrets");
  REQUIRE(c->exceptions.size() == 1);
  CHECK(config::find_exception(*c, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") != nullptr);
  CHECK(config::find_exception(*c, "sha256:1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") == nullptr);
}

TEST_CASE("config: typos, bad values and weak settings are errors naming file and key")
{
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
    {R"({"hardrunConfig":1,"mdoe":"warn"})", "/mdoe: unknown key"},
    {R"({"mode":"warn"})", "/hardrunConfig: missing"},
    {R"({"hardrunConfig":2})", "unsupported version 2"},
    {R"({"hardrunConfig":1,"mode":"off"})", "/mode: must be"},
    {R"({"hardrunConfig":1,"signaturePolicy":"policy.json"})", "not a clean absolute path"},
    {R"({"hardrunConfig":1,"hookDeadlineMs":20000,"hookTimeoutSeconds":15})", "/hookTimeoutSeconds"},
    {R"({"hardrunConfig":1,"exceptions":[{"digest":"docker.io/app:latest","reason":"x"}]})", "/exceptions/0/digest"},
    {R"({"hardrunConfig":1,"exceptions":[{"digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","reason":""}]})", "/exceptions/0/reason"},
    {R"({"hardrunConfig":1,"mode":"warn","mode":"enforce"})", "duplicate"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto r = config::parse(c.text, "/etc/hardrun/hardrun.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_input);
    CHECK_THAT(r.error().what(), Catch::Contains(c.expect));
    CHECK_THAT(r.error().what(), Catch::Contains("/etc/hardrun/hardrun.json"));
  }
}

TEST_CASE("config: a missing default file is the defaults, a missing explicit file an error")
{
  const auto d = config::load("/nonexistent/hardrun.json", false);
  REQUIRE(d);
  CHECK(d->source == "built-in defaults");
  const auto e = config::load("/nonexistent/hardrun.json", true);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Errc::not_found);
}
