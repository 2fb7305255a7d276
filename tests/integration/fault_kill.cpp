// SPDX-License-Identifier: Apache-2.0
//
// hardrun-fault-kill DELAY_US PROGRAM [ARGS...]: the fault tier's kill -9 at a chosen moment.
// Starts PROGRAM (execv, no PATH search), sleeps DELAY_US microseconds measured from the fork
// with clock_nanosleep (a shell's `sleep` costs a fork and an exec, milliseconds of jitter on
// a loaded machine, too coarse for a rewrite that lasts a few milliseconds), then SIGKILLs it
// and reaps it. Prints one line: "killed" when the SIGKILL ended it, "exited N" when it had
// finished by itself first. Exit status 0, or 2 on a usage or system error.
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

int
main(int argc, char** argv)
{
  if (argc < 3) {
    std::fprintf(stderr, "usage: hardrun-fault-kill DELAY_US PROGRAM [ARGS...]\n");
    return 2;
  }
  char* end = nullptr;
  errno = 0;
  const long long delay_us = std::strtoll(argv[1], &end, 10);
  if (errno != 0 || end == argv[1] || *end != '\0' || delay_us < 0) {
    std::fprintf(stderr, "hardrun-fault-kill: bad delay \"%s\"\n", argv[1]);
    return 2;
  }
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("hardrun-fault-kill: fork");
    return 2;
  }
  if (pid == 0) {
    ::execv(argv[2], argv + 2);
    std::perror("hardrun-fault-kill: execv");
    ::_exit(127);
  }
  timespec until = start;
  until.tv_sec += static_cast<time_t>(delay_us / 1000000);
  until.tv_nsec += static_cast<long>((delay_us % 1000000) * 1000);
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec += 1;
    until.tv_nsec -= 1000000000L;
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  for (;;) {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    long long left_ns = (static_cast<long long>(until.tv_sec) - now.tv_sec) * 1000000000LL + (until.tv_nsec - now.tv_nsec);
    if (left_ns <= 0) {
      break;
    }
    if (pidfd < 0) { // no pidfd (old kernel): plain sleep to the deadline
      ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
      continue;
    }
    const timespec left{static_cast<time_t>(left_ns / 1000000000LL), static_cast<long>(left_ns % 1000000000LL)};
    pollfd p{pidfd, POLLIN, 0};
    if (::ppoll(&p, 1, &left, nullptr) > 0) {
      break; // exited by itself
    }
  }
  ::kill(pid, SIGKILL); // never ESRCH: the child is not reaped yet (at worst a zombie)
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      std::perror("hardrun-fault-kill: waitpid");
      return 2;
    }
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
    std::printf("killed\n");
  } else if (WIFEXITED(status)) {
    std::printf("exited %d\n", WEXITSTATUS(status));
  } else {
    std::printf("signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
  }
  return 0;
}
