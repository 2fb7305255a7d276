// SPDX-License-Identifier: Apache-2.0
#include "../support.hpp"
#include "hardrun/audit/canary.hpp"
#include "hardrun/audit/catalog.hpp"
#include "hardrun/audit/container.hpp"
#include "hardrun/check/validator.hpp"

using namespace hardrun;

namespace {
const char* const k_hardened = "Uid:\t10001\t10001\t10001\t10001\nGid:\t10001\t10001\t10001\t10001\n"
                               "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n"
                               "root-write: EROFS\nhardrun-canary: done\n";
}

TEST_CASE("canary: a hardened run has no gaps", "[audit]")
{
  const auto r = audit::parse_canary_output(k_hardened);
  CHECK(r.uid == std::optional<std::uint32_t>(10001));
  CHECK(r.cap_eff == std::optional<std::uint64_t>(0));
  CHECK(r.done);
  CHECK(audit::canary_gaps(r).empty());
}

TEST_CASE("canary: each missing protection is a gap", "[audit]")
{
  const auto r = audit::parse_canary_output("Uid:\t1000\t0\t0\t0\nCapEff:\t00000000a80425fb\nNoNewPrivs:\t0\nSeccomp:\t0\n"
                                            "root-write: written\nhardrun-canary: done\n");
  CHECK(r.uid == std::optional<std::uint32_t>(0)); // the effective uid counts
  const auto g = audit::canary_gaps(r);
  REQUIRE(g.size() == 5);
  CHECK(g[0] == "runs as uid 0");
  CHECK(g[1] == "CapEff 00000000a80425fb (want 0)");
  CHECK_THAT(g[4], Catch::Matchers::Contains("written"));
  // Truncated output (the container died half-way) is never "hardened".
  CHECK_FALSE(audit::canary_gaps(audit::parse_canary_output("Uid:\t10001\t10001\t10001\t10001\n")).empty());
  CHECK_FALSE(audit::canary_gaps(audit::parse_canary_output("")).empty());
}

TEST_CASE("catalog: every validator rule maps to well-known check ids", "[audit]")
{
  for (const auto& rule : check::rule_names()) {
    INFO(rule);
    const auto* ids = audit::ids_for(rule);
    REQUIRE(ids != nullptr);
    CHECK_FALSE(ids->title.empty());
  }
  CHECK(audit::ids_for("drop-capabilities")->cis == "5.4");
  CHECK(audit::ids_for("drop-capabilities")->kubescape == "C-0046");
  CHECK(audit::ids_for("drop-capabilities")->trivy == "KSV-0003");
  CHECK(audit::ids_for("read-only-root")->cis == "5.13");
  CHECK(audit::ids_for("read-only-root")->trivy == "KSV-0014");
  CHECK(audit::ids_for("no-new-privileges")->kubescape == "C-0016");
  CHECK(audit::ids_for("non-root-user")->kubescape == "C-0013");
  CHECK(audit::ids_for("seccomp")->trivy == "KSV-0104");
  for (const char* r : {"privileged", "pinned-image", "image-secret-file", "image-secret-env", "image-root-user", "image-package-cache"}) {
    INFO(r);
    CHECK(audit::ids_for(r) != nullptr);
  }
  CHECK(audit::ids_for("no-such-rule") == nullptr);
  // One row per rule.
  const auto& c = audit::check_catalog();
  for (std::size_t i = 0; i < c.size(); ++i) {
    for (std::size_t j = i + 1; j < c.size(); ++j) {
      CHECK(c[i].rule != c[j].rule);
    }
  }
}

TEST_CASE("podman view: --privileged and an unpinned image", "[audit]")
{
  const spec::Json weak = spec::Json::parse(R"({"ImageName":"localhost/app:1","HostConfig":{"Privileged":true}})");
  const auto f = audit::podman_view_findings(weak);
  REQUIRE(f.size() == 2);
  CHECK(f[0].rule == "privileged");
  CHECK(f[0].pointer == "/HostConfig/Privileged");
  CHECK(f[1].rule == "pinned-image");
  const spec::Json ok = spec::Json::parse(
    R"({"ImageName":"localhost/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","HostConfig":{"Privileged":false}})");
  CHECK(audit::podman_view_findings(ok).empty());
  CHECK(audit::podman_view_findings(spec::Json::array()).empty());
}
