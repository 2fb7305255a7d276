// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace hardrun::hook {

// The whole hook: returns the process exit status. main() only adds the exception boundary.
[[nodiscard]] int run(int argc, char** argv);

} // namespace hardrun::hook
