// SPDX-License-Identifier: Apache-2.0
#include "hardrun/sys/journal.hpp"

#include <dlfcn.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#ifndef HARDRUN_SYSTEMD_LIBRARY
#error "HARDRUN_SYSTEMD_LIBRARY (absolute path of libsystemd's soname) is set by libhardrun/CMakeLists.txt"
#endif

namespace hardrun::sys {

// Fails to compile when JournalSend is not sd_journal_send's type (its sentinel attribute aside).
[[maybe_unused]] constexpr JournalSend k_same_type = &::sd_journal_send;

Journal
open_journal(bool socket_exists)
{
  Journal j;
  if (!socket_exists) {
    return j;
  }
  // Threat: library injection into a root process. The absolute path is fixed at build time
  // (CMake: pkg-config's libdir and the ABI soname libsystemd.so.0), never taken from the
  // environment or the cwd. libsystemd's own dependencies are resolved as for a linked library;
  // the hook's environment is pinned by its hooks.d descriptor (PATH=/usr/sbin:/usr/bin, LC_ALL=C).
  // RTLD_NOW: bound here, before the sandbox; RTLD_LOCAL: nothing of it interposes elsewhere.
  void* handle = ::dlopen(HARDRUN_SYSTEMD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    j.error = std::string("cannot load libsystemd (") + HARDRUN_SYSTEMD_LIBRARY + "): " + (why != nullptr ? why : "?");
    return j;
  }
  ::dlerror();
  void* sym = ::dlsym(handle, "sd_journal_send");
  if (sym == nullptr) {
    const char* why = ::dlerror();
    j.error = std::string("libsystemd (") + HARDRUN_SYSTEMD_LIBRARY + ") lacks sd_journal_send: " + (why != nullptr ? why : "?");
    return j;
  }
  j.send = reinterpret_cast<JournalSend>(sym);
  return j;
}

Journal
open_journal_if_listening()
{
  return open_journal(::access(k_journal_socket, F_OK) == 0);
}

} // namespace hardrun::sys
