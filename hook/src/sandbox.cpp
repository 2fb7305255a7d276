// SPDX-License-Identifier: Apache-2.0
#include "hardrun/hook/sandbox.hpp"

#include <cap-ng.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "hardrun/base/exit_code.hpp"

namespace hardrun::hook {
namespace {

// libseccomp's SCMP_A0()… macros are C compound literals; this is the C++ spelling.
scmp_arg_cmp
arg(unsigned index, scmp_compare op, scmp_datum_t a, scmp_datum_t b = 0)
{
  return scmp_arg_cmp{index, op, a, b};
}

struct Rule {
  const char* name;
  // Optional argument conditions, all of which must hold.
  std::vector<scmp_arg_cmp> args;
};

// The allow-list, measured with `strace -f` on full allow and deny decisions (GPG and sigstore,
// storage and lookaside; see hook/README.md) after the point where the sandbox is entered.
std::vector<Rule>
rules(const SandboxOptions& o)
{
  std::vector<Rule> r = {
    // Reading files: open read-only only (no O_CREAT, O_TRUNC, O_APPEND, no write access mode),
    // so a hijacked parser running as uid 0 cannot create or change a file.
    {"openat",
     {arg(2, SCMP_CMP_MASKED_EQ, static_cast<scmp_datum_t>(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND), 0)}},
    {"read", {}},
    {"pread64", {}},
    {"lseek", {}},
    {"close", {}},
    {"fstat", {}},
    {"newfstatat", {}},
    {"fcntl", {arg(1, SCMP_CMP_EQ, F_GETFL)}},
    {"fcntl", {arg(1, SCMP_CMP_EQ, F_SETFL)}},
    {"fcntl", {arg(1, SCMP_CMP_EQ, F_GETFD)}},
    // Reporting: stderr only.
    {"write", {arg(0, SCMP_CMP_EQ, STDERR_FILENO)}},
    {"writev", {arg(0, SCMP_CMP_EQ, STDERR_FILENO)}},
    // librnp logs its own diagnostics to stderr; the hook points fd 2 at /dev/null while it
    // decides and back for its one report line. Only fd 2 can be replaced.
    {"dup2", {arg(1, SCMP_CMP_EQ, STDERR_FILENO)}},
    {"dup3", {arg(1, SCMP_CMP_EQ, STDERR_FILENO)}},
    // Memory: never executable (no new code can be mapped in).
    {"mmap", {arg(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
    {"mprotect", {arg(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
    {"munmap", {}},
    // Botan (librnp's crypto) mlocks its secure pool; hardrun turns the pool off
    // (trust/rnp_lazy.cpp), these stay for a Botan that ignores BOTAN_MLOCK_POOL_SIZE.
    {"mlock", {}},
    {"munlock", {}},
    {"mremap", {}},
    {"brk", {}},
    {"madvise", {}},
    {"futex", {}},
    {"getrandom", {}},
    {"clock_gettime", {}},
    {"gettimeofday", {}},
    {"getpid", {}},
    {"getuid", {}},
    {"geteuid", {}},
    {"getgid", {}},
    {"getegid", {}},
    {"gettid", {}},
    {"rt_sigreturn", {}},
    {"rt_sigprocmask", {}},
    {"exit_group", {}},
    {"exit", {}},
#if defined(HARDRUN_SANITIZER_BUILD)
    // ASan/UBSan builds only (-DHARDRUN_SANITIZE=ON): the instrumentation calls
    // __asan_handle_no_return before exit()/_exit(), which asks which signal stack is in use:
    // sigaltstack(NULL, &old), a query that changes nothing. Never in a release binary.
    {"sigaltstack", {arg(0, SCMP_CMP_EQ, 0)}},
    // UBSan's vptr check probes whether an object's memory is readable by writing it into a
    // fresh pipe (IsAccessibleMemoryRange: pipe2, write to the pipe, close). The release
    // filter's write-to-stderr-only rule therefore does not hold in sanitizer builds.
    {"pipe2", {}},
    {"write", {}},
#endif
  };
  if (o.journal) {
    // sd_journal_send: socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0), SO_SNDBUF tuning, sendmsg.
    r.push_back({"socket", {arg(0, SCMP_CMP_EQ, AF_UNIX), arg(1, SCMP_CMP_EQ, SOCK_DGRAM | SOCK_CLOEXEC)}});
    r.push_back({"getsockopt", {}});
    r.push_back({"setsockopt", {}});
    r.push_back({"sendmsg", {}});
  }
  return r;
}

// SIGSYS from SCMP_ACT_TRAP: a system call outside the allow-list. Async-signal-safe: write
// and _exit only (both allowed). rt_sigaction is not allowed, so hijacked code cannot replace
// this handler.
void
on_sigsys(int /*sig*/, siginfo_t* info, void* /*ctx*/)
{
  char buf[160];
  const char head[] = "hardrun-hook: deny: sandbox: forbidden system call ";
  std::size_t n = 0;
  for (const char c : head) {
    if (c != '\0') {
      buf[n++] = c;
    }
  }
  int nr = info != nullptr ? info->si_syscall : -1;
  char digits[16];
  std::size_t d = 0;
  if (nr < 0) {
    buf[n++] = '-';
    nr = -nr;
  }
  do {
    digits[d++] = static_cast<char>('0' + nr % 10);
    nr /= 10;
  } while (nr > 0 && d < sizeof digits);
  while (d > 0) {
    buf[n++] = digits[--d];
  }
  const char tail[] = " \xe2\x80\x94 possible exploitation or a missing allow-list entry; report a bug\n";
  for (const char c : tail) {
    if (c != '\0' && n < sizeof buf) {
      buf[n++] = c;
    }
  }
  [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, buf, n);
  ::_exit(to_int(ExitCode::internal));
}

Result<void>
drop_capabilities()
{
  capng_get_caps_process();
  const bool had_read_search = capng_have_capability(CAPNG_EFFECTIVE, CAP_DAC_READ_SEARCH) != 0;
  capng_clear(CAPNG_SELECT_ALL);
  // Kept: CAP_DAC_READ_SEARCH only, to read podman's user-namespaced bundle (userdata is 0700,
  // owned by the container's mapped root) and storage after the sandbox is up. It grants
  // reading and directory search, nothing else; the seccomp filter allows opening read-only
  // and writing to stderr only, so a compromised parser could read but not change anything.
  if (had_read_search) {
    capng_update(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED), CAP_DAC_READ_SEARCH);
  }
  // The bounding set can only be changed with CAP_SETPCAP; it matters only across execve,
  // which the filter forbids anyway.
  if (capng_apply(CAPNG_SELECT_ALL) != 0 && capng_apply(CAPNG_SELECT_CAPS) != 0) {
    return make_error(Errc::system, "sandbox: cannot drop capabilities");
  }
  capng_get_caps_process();
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    if (cap != CAP_DAC_READ_SEARCH && capng_have_capability(CAPNG_EFFECTIVE, static_cast<unsigned>(cap)) != 0) {
      return make_error(Errc::system, "sandbox: capabilities still held after dropping them");
    }
  }
  return {};
}

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

} // namespace

std::vector<std::string>
sandbox_syscalls(const SandboxOptions& options)
{
  std::vector<std::string> out;
  for (const auto& r : rules(options)) {
    if (out.empty() || out.back() != r.name) {
      out.emplace_back(r.name);
    }
  }
  return out;
}

Result<void>
enter_sandbox(const SandboxOptions& options)
{
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGSYS, &sa, nullptr) != 0) {
    return make_sys_error(errno, "sandbox: sigaction SIGSYS");
  }
  HARDRUN_TRY(drop_capabilities());
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return make_sys_error(errno, "sandbox: PR_SET_NO_NEW_PRIVS");
  }
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(SCMP_ACT_TRAP));
  if (!ctx) {
    return make_error(Errc::system, "sandbox: seccomp_init failed");
  }
  for (const auto& r : rules(options)) {
    const int nr = seccomp_syscall_resolve_name(r.name);
    if (nr == __NR_SCMP_ERROR) {
      continue; // not a system call on this architecture (e.g. newfstatat on 32-bit)
    }
    const int rc = seccomp_rule_add_array(ctx.get(), SCMP_ACT_ALLOW, nr, static_cast<unsigned>(r.args.size()),
                                          r.args.empty() ? nullptr : r.args.data());
    if (rc != 0) {
      return make_error(Errc::system, std::string("sandbox: seccomp rule for ") + r.name + ": " + std::strerror(-rc));
    }
  }
  if (const int rc = seccomp_load(ctx.get()); rc != 0) {
    return make_error(Errc::system, std::string("sandbox: seccomp_load: ") + std::strerror(-rc));
  }
  return {};
}

} // namespace hardrun::hook
