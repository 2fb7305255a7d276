// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <unistd.h>

#include <utility>

namespace hardrun::base {

// Move-only owner of a file descriptor (ccache util::Fd). No raw close() elsewhere.
class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd&
  operator=(UniqueFd&& other) noexcept
  {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const { return m_fd; }
  [[nodiscard]] explicit operator bool() const { return m_fd >= 0; }
  [[nodiscard]] int
  release()
  {
    return std::exchange(m_fd, -1);
  }
  // Close and report whether close() succeeded (it can report a deferred write error).
  [[nodiscard]] bool
  close()
  {
    const int fd = release();
    return fd < 0 || ::close(fd) == 0;
  }
  void
  reset(int fd = -1)
  {
    const int old = std::exchange(m_fd, fd);
    if (old >= 0) {
      ::close(old);
    }
  }

private:
  int m_fd = -1;
};

} // namespace hardrun::base
