# SPDX-License-Identifier: Apache-2.0
target_sources(unit_tests PRIVATE
  unit/image/test_state.cpp
  unit/image/test_storage.cpp
  unit/image/test_signatures.cpp
  unit/image/test_lookaside.cpp
  unit/image/test_crio.cpp
  unit/image/test_hook.cpp
)
target_link_libraries(unit_tests PRIVATE hardrun::hook_support)
