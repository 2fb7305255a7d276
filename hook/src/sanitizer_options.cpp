// SPDX-License-Identifier: Apache-2.0
// Sanitizer builds only (-DHARDRUN_SANITIZE=ON, the asan preset): the runtime defaults of the
// hook executable. Empty in every normal build.
//
// The hook decides inside a seccomp sandbox (sandbox.cpp) that allows no clone, ptrace, fork or
// execve. Two parts of the ASan runtime need those and would die on SIGSYS instead of reporting:
//  - LeakSanitizer's exit-time check stops the world with a ptrace-ing clone: leak checking is
//    off for this process only. The decision code it runs is leak-checked elsewhere: the unit
//    tests (test_hook.cpp and the trust/image suites run the same functions in-process, ASan
//    build) and every fuzz target run with LeakSanitizer on.
//  - symbolizing a report spawns llvm-symbolizer: reports print module+offset frames instead
//    (feed them to `llvm-symbolizer-14 --obj=hardrun-hook`).
// (ASan's instrumentation also queries sigaltstack before every noreturn call: sandbox.cpp
// allows that query, in sanitizer builds only.)
// Everything else stays on: an ASan or UBSan report in the hook aborts it, and the tiers see a
// non-deny exit status. An ASAN_OPTIONS in the environment still overrides these defaults.
#if defined(HARDRUN_SANITIZER_BUILD)
extern "C" const char*
__asan_default_options() // NOLINT(bugprone-reserved-identifier): the runtime's hook name
{
  return "detect_leaks=0:symbolize=0";
}

extern "C" const char*
__ubsan_default_options() // NOLINT(bugprone-reserved-identifier)
{
  return "symbolize=0:print_stacktrace=1";
}
#endif
