// SPDX-License-Identifier: Apache-2.0
#include "deadline.hpp"

#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>

#include "hardrun/base/exit_code.hpp"

namespace hardrun::hook {
namespace {

timespec g_start{};
bool g_started = false;
char g_message[256];
std::size_t g_message_len = 0;
volatile sig_atomic_t g_exit_code = to_int(ExitCode::timeout);
volatile sig_atomic_t g_report_fd = STDERR_FILENO;

// Async-signal-safe: dup2, write and _exit only (all allowed by the sandbox).
void
on_alarm(int /*sig*/)
{
  // The sandbox lets the hook write to fd 2 only; dup2 onto fd 2 is allowed.
  if (g_report_fd != STDERR_FILENO) {
    ::dup2(g_report_fd, STDERR_FILENO);
  }
  [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, g_message, g_message_len);
  ::_exit(g_exit_code);
}

} // namespace

void
set_report_fd(int fd)
{
  g_report_fd = fd >= 0 ? fd : STDERR_FILENO;
}

double
elapsed_ms()
{
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec - g_start.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec - g_start.tv_nsec) / 1e6;
}

void
arm_deadline(std::chrono::milliseconds total, bool warn)
{
  if (!g_started) {
    ::clock_gettime(CLOCK_MONOTONIC, &g_start);
    g_started = true;
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGALRM, &sa, nullptr);
  }
  const int n = std::snprintf(g_message, sizeof g_message,
                              "hardrun-hook: deny: timeout: no decision within %lld ms \xe2\x80\x94 raise hookDeadlineMs"
                              " in hardrun.json (and the hooks.d timeout) or look for a stalled stdin or storage%s\n",
                              static_cast<long long>(total.count()), warn ? " (warn mode: container allowed)" : "");
  g_message_len = n > 0 ? static_cast<std::size_t>(n) : 0;
  g_exit_code = warn ? to_int(ExitCode::ok) : to_int(ExitCode::timeout);
  double left = static_cast<double>(total.count()) - elapsed_ms();
  if (left < 1) {
    left = 1; // expire at once, through the same path
  }
  itimerval it{};
  const auto ms = static_cast<long long>(left);
  it.it_value.tv_sec = static_cast<time_t>(ms / 1000);
  it.it_value.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  ::setitimer(ITIMER_REAL, &it, nullptr);
}

} // namespace hardrun::hook
