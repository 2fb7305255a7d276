// SPDX-License-Identifier: Apache-2.0
//
// gen-hooks-d FILE: writes the hooks.d file (00-hardrun.json) that `cmake --install` and the
// .deb put in /usr/share/containers/oci/hooks.d, from the same defaults the installed programs
// use (the hook's path and the configuration's path are fixed by the install prefix), through
// the library function `hardrun install-hook`'s descriptor comes from, so the two cannot drift.
#include <fstream>
#include <iostream>

#include "hardrun/config/config.hpp"
#include "hardrun/hook/descriptor.hpp"

int
main(int argc, char** argv)
{
  if (argc != 2) {
    std::cerr << "usage: gen-hooks-d FILE\n";
    return 2;
  }
  const hardrun::config::Config defaults = hardrun::config::defaults();
  hardrun::hook::DescriptorOptions o;
  o.hook_path = defaults.hook_path;
  o.config = hardrun::config::default_path();
  o.timeout_seconds = defaults.hook_timeout_seconds;
  auto text = hardrun::hook::render_hooks_d(o);
  if (!text) {
    std::cerr << "gen-hooks-d: " << text.error().what() << '\n';
    return 1;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << *text;
  out.close();
  if (!out) {
    std::cerr << "gen-hooks-d: cannot write " << argv[1] << '\n';
    return 1;
  }
  return 0;
}
