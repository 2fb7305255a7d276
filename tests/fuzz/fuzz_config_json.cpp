// SPDX-License-Identifier: Apache-2.0
// config.json as the shim loads it (spec::Document::parse: parse_strict + shape checks), then the
// whole hardening chain and validator with the test profile. config.json comes from podman, but
// its content is steered by whoever writes the `podman run` line or the image (threat model A1).
#include "fuzz_support.hpp"
#include "hardrun/engine/harden.hpp"
#include "hardrun/policy/policy.hpp"
#include "hardrun/spec/document.hpp"

namespace {

const hardrun::policy::Policy&
profile()
{
  static const hardrun::policy::Policy p = [] {
    auto loaded = hardrun::policy::load_file(HARDRUN_FUZZ_DATA_DIR "/data/profiles/test.json");
    if (!loaded) {
      hardrun::fuzz::invariant_failed("test profile", loaded.error().what());
    }
    return *loaded;
  }();
  return p;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace hardrun;
  static const policy::IdAllocation allocation{{{100000, 65536}}, {{100000, 65536}}, "fuzz"};
  const modify::Context ctx{profile(), allocation};
  auto doc = spec::Document::parse(fuzz::as_text(data, size), "config.json");
  if (!doc) {
    return 0;
  }
  (void)spec::check_shape(doc->json());
  (void)spec::strings_at(doc->json(), "/process/args");
  (void)spec::as_u32(spec::find(doc->json(), "/process/user/uid"));
  auto out = engine::harden(*doc, ctx, check::Options{});
  if (!out || out->output.empty()) {
    return 0;
  }
  // What the shim writes for runc must load again, and hardening is idempotent (modifier.hpp):
  // a second pass changes nothing and finds nothing.
  auto again = spec::Document::parse(out->output, "hardened config.json");
  if (!again) {
    fuzz::invariant_failed("hardened output does not parse", again.error().what());
  }
  auto second = engine::harden(*again, ctx, check::Options{});
  if (!second) {
    fuzz::invariant_failed("second hardening pass failed", second.error().what());
  }
  if (!second->changes.empty() || !second->findings.empty() || second->output != out->output) {
    fuzz::invariant_failed("hardening is not idempotent", out->output);
  }
  return 0;
}
