// SPDX-License-Identifier: Apache-2.0
// hardrun-bench-decide: the hook's decision measured in process, without process start-up.
// Loads the trust policy and registries.d once (timed once: that is start-up work the hook does
// before its sandbox), then repeats what the hook does per container after its sandbox:
// parse the OCI state, look the image up in containers-storage (containers.json, images.json,
// big-data), add lookaside signatures, and trust::decide(). Prints one line of key=value
// (times in microseconds) for bench/hook.sh. Run with the bundle's directory as cwd is not
// needed: the state names the bundle by absolute path.
//
// Usage: hardrun-bench-decide POLICY REGISTRIES_D STATE_FILE ITERATIONS
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hardrun/image/identity.hpp"
#include "hardrun/image/lookaside.hpp"
#include "hardrun/image/state.hpp"
#include "hardrun/trust/decision.hpp"
#include "hardrun/trust/policy.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double
us_since(Clock::time_point t0)
{
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

double
pct(std::vector<double> v, double p)
{
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1))];
}

int
fail(const std::string& what)
{
  std::fprintf(stderr, "hardrun-bench-decide: %s\n", what.c_str());
  return 1;
}

} // namespace

int
main(int argc, char** argv)
{
  if (argc != 5) {
    return fail("usage: hardrun-bench-decide POLICY REGISTRIES_D STATE_FILE ITERATIONS");
  }
  const std::string policy_path = argv[1];
  const std::string registries_dir = argv[2];
  std::ifstream in(argv[3], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string state_text = ss.str();
  const int iterations = std::max(1, std::atoi(argv[4]));

  auto t0 = Clock::now();
  auto policy = hardrun::trust::load_trust_policy(policy_path);
  const double load_us = us_since(t0);
  if (!policy) {
    return fail(policy.error().what());
  }
  auto registries = hardrun::image::load_registries_d(registries_dir);
  if (!registries) {
    return fail(registries.error().what());
  }
  const auto source = hardrun::image::make_containers_storage_source();

  std::vector<double> lookup_us;
  std::vector<double> decide_us;
  std::vector<double> total_us;
  double first_total = 0;
  bool allowed = true;
  for (int i = 0; i < iterations; ++i) {
    const auto start = Clock::now();
    auto state = hardrun::image::parse_state(state_text);
    if (!state) {
      return fail(state.error().what());
    }
    auto evidence = source->lookup(*state);
    if (!evidence) {
      return fail(evidence.error().what());
    }
    if (auto r = hardrun::image::add_lookaside_signatures(*registries, *evidence); !r) {
      return fail(r.error().what());
    }
    const double looked_up = us_since(start);
    const auto d0 = Clock::now();
    auto decision = hardrun::trust::decide(*policy, *evidence);
    decide_us.push_back(us_since(d0));
    total_us.push_back(us_since(start));
    lookup_us.push_back(looked_up);
    if (!decision) {
      return fail(decision.error().what());
    }
    allowed = allowed && decision->verdict == hardrun::trust::Verdict::allow;
    if (i == 0) {
      first_total = total_us.back();
    }
  }
  std::printf("iterations=%d policy_load_us=%.1f first_us=%.1f lookup_p50_us=%.1f decide_p50_us=%.1f "
              "total_p50_us=%.1f total_p90_us=%.1f verdict=%s\n",
              iterations, load_us, first_total, pct(lookup_us, 50), pct(decide_us, 50), pct(total_us, 50),
              pct(total_us, 90), allowed ? "allow" : "deny");
  return allowed ? 0 : 3;
}
