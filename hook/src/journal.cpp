// SPDX-License-Identifier: Apache-2.0
#include "journal.hpp"

#include <dlfcn.h>

#ifndef HARDRUN_SYSTEMD_LIBRARY
#error "HARDRUN_SYSTEMD_LIBRARY (absolute path of libsystemd's soname) is set by hook/CMakeLists.txt"
#endif

namespace hardrun::hook {

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
  j.send = reinterpret_cast<decltype(&::sd_journal_send)>(sym);
  return j;
}

} // namespace hardrun::hook
