// SPDX-License-Identifier: Apache-2.0
// hardrun-hook's support library: argv, the hooks.d descriptor, the self-sandbox.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "../support.hpp"
#include "hardrun/hook/args.hpp"
#include "hardrun/hook/descriptor.hpp"
#include "hardrun/hook/sandbox.hpp"
#include "hardrun/spec/json.hpp"

using hardrun::hook::parse_args;

TEST_CASE("hook args: options, argv[0] ignored, unknown and relative refused", "[hardrun::hook][args]")
{
  auto a = parse_args({"anything", "--config", "/etc/hardrun/hardrun.json", "--signature-policy=/etc/p.json",
                       "--stage", "createRuntime"});
  REQUIRE(a);
  CHECK(a->config == "/etc/hardrun/hardrun.json");
  CHECK(a->signature_policy == "/etc/p.json");
  CHECK(a->stage == "createRuntime");
  auto d = parse_args({"hardrun-hook"});
  REQUIRE(d);
  CHECK(d->config.empty());
  CHECK(d->stage == "prestart");
  CHECK_FALSE(parse_args({"h", "--verbose"}));
  CHECK_FALSE(parse_args({"h", "extra"}));
  CHECK_FALSE(parse_args({"h", "--config"}));
  CHECK_FALSE(parse_args({"h", "--config", "hardrun.json"}));
  CHECK_FALSE(parse_args({"h", "--config", "/a/../b.json"}));
  CHECK_FALSE(parse_args({"h", "--config", "/a", "--config", "/b"}));
  CHECK_FALSE(parse_args({"h", "--stage", "createContainer"}));
}

TEST_CASE("hook descriptor: hooks.d 1.0.0 with path, args, pinned env and timeout", "[hardrun::hook][descriptor]")
{
  auto text = hardrun::hook::render_hooks_d({"/usr/libexec/hardrun/hardrun-hook", "/etc/hardrun/hardrun.json", "", 15, "prestart"});
  REQUIRE(text);
  auto j = hardrun::spec::parse_strict(*text, "hooks.d", {});
  REQUIRE(j);
  CHECK((*j)["version"] == "1.0.0");
  CHECK((*j)["hook"]["path"] == "/usr/libexec/hardrun/hardrun-hook");
  CHECK((*j)["hook"]["args"] == hardrun::spec::Json::array({"hardrun-hook", "--config", "/etc/hardrun/hardrun.json", "--stage", "prestart"}));
  CHECK((*j)["hook"]["timeout"] == 15);
  CHECK((*j)["hook"]["env"].size() == 2);
  CHECK((*j)["when"]["always"] == true);
  CHECK((*j)["stages"] == hardrun::spec::Json::array({"prestart"}));
  CHECK_FALSE(hardrun::hook::render_hooks_d({"hardrun-hook", "", "", 15, "prestart"}));
  CHECK_FALSE(hardrun::hook::render_hooks_d({"/x/hardrun-hook", "", "", 0, "prestart"}));
  CHECK_FALSE(hardrun::hook::render_hooks_d({"/x/hardrun-hook", "", "", 15, "createContainer"}));
  CHECK_FALSE(hardrun::hook::render_hooks_d({"/x/hardrun-hook", "rel.json", "", 15, "prestart"}));
}

namespace {

// Run `body` in a child that first enters the sandbox; the child's wait status.
template <class F>
int
in_sandboxed_child(F body)
{
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Keep the SIGSYS handler's line out of the test output.
    const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(devnull, STDERR_FILENO);
    if (!hardrun::hook::enter_sandbox({false})) {
      ::_exit(99);
    }
    ::_exit(body());
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

} // namespace

TEST_CASE("hook sandbox: reading works, forbidden system calls deny", "[hardrun::hook][sandbox]")
{
  const auto names = hardrun::hook::sandbox_syscalls({false});
  CHECK(std::find(names.begin(), names.end(), "execve") == names.end());
  CHECK(std::find(names.begin(), names.end(), "openat") != names.end());

  // Allowed: open read-only, read, write to stderr, allocate.
  int st = in_sandboxed_child([] {
    const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    char buf[64];
    const bool ok = fd >= 0 && ::read(fd, buf, sizeof buf) > 0 && ::close(fd) == 0;
    std::string big(1 << 20, 'x');
    return ok && big.size() == (1U << 20U) ? 0 : 1;
  });
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);

  // Forbidden: each ends the process with ExitCode::internal through the SIGSYS handler.
  const auto expect_denied = [](int status) {
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == hardrun::to_int(hardrun::ExitCode::internal));
  };
  expect_denied(in_sandboxed_child([] { return ::socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 2; }));
  expect_denied(in_sandboxed_child([] { return ::getppid() > 0 ? 0 : 2; }));
  expect_denied(in_sandboxed_child([] {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execv("/bin/true", argv);
    return 2;
  }));
  // Opening for writing is refused by the argument filter.
  expect_denied(in_sandboxed_child([] { return ::open("/tmp/hardrun-sandbox-test", O_WRONLY | O_CREAT, 0600) >= 0 ? 0 : 2; }));
#if !defined(HARDRUN_SANITIZER_BUILD)
  // write() to any fd but stderr. (Sanitizer builds allow write(): UBSan probes memory through a
  // pipe, see sandbox.cpp; release binaries keep the stderr-only rule this checks.)
  expect_denied(in_sandboxed_child([] { return ::write(STDOUT_FILENO, "x", 1) == 1 ? 0 : 2; }));
#endif
}
