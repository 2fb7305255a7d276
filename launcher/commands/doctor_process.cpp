// SPDX-License-Identifier: Apache-2.0
#include "doctor_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hardrun/base/unique_fd.hpp"

namespace hardrun::commands {

ProcessResult
run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, std::size_t max_output)
{
  ProcessResult r;
  if (argv.empty()) {
    r.error = "empty command";
    return r;
  }
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return r;
  }
  base::UniqueFd out_r(out_pipe[0]);
  base::UniqueFd out_w(out_pipe[1]);
  base::UniqueFd err_r(err_pipe[0]);
  base::UniqueFd err_w(err_pipe[1]);
  std::vector<char*> cargs;
  cargs.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    cargs.push_back(const_cast<char*>(a.c_str()));
  }
  cargs.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
    }
    ::dup2(out_w.get(), STDOUT_FILENO);
    ::dup2(err_w.get(), STDERR_FILENO);
    ::execvp(cargs[0], cargs.data());
    const std::string msg = std::string("execute ") + argv[0] + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
  }
  ::setpgid(pid, pid); // both sides: no race with the kill below
  (void)out_w.close();
  (void)err_w.close();
  r.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true;
  bool err_open = true;
  char buf[8192];
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0}, {err_open ? err_r.get() : -1, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      std::string& dst = i == 0 ? r.out : r.err;
      const std::size_t room = dst.size() < max_output ? max_output - dst.size() : 0;
      dst.append(buf, std::min<std::size_t>(room, static_cast<std::size_t>(got)));
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.exit_code = 128 + WTERMSIG(status);
  }
  if (r.timed_out) {
    r.error = argv[0] + " did not finish within " + std::to_string(timeout.count() / 1000) + " s";
  }
  return r;
}

std::string
first_line(const ProcessResult& r)
{
  const std::string& s = !r.err.empty() ? r.err : r.out;
  std::string line = s.substr(0, s.find('\n'));
  // Runtimes put the cause last ("... error preparing rootfs: mount X: permission denied").
  if (line.size() > 600) {
    line = line.substr(0, 200) + " ... " + line.substr(line.size() - 400);
  }
  return line;
}

} // namespace hardrun::commands
