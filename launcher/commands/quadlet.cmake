# SPDX-License-Identifier: Apache-2.0
# hardrun quadlet / update / audit of quadlet files (issue 5), and the admission decision that
# verify and update share.
target_sources(hardrun_bin PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/admission.cpp
  ${CMAKE_CURRENT_LIST_DIR}/selection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/update_systemd.cpp)
target_link_libraries(hardrun_bin PRIVATE PkgConfig::SYSTEMD)
