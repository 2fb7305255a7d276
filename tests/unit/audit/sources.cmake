# SPDX-License-Identifier: Apache-2.0
# doctor and audit (issue 7): containers.conf, canary verdict, check ids, layer scanning.
target_sources(unit_tests PRIVATE
  unit/audit/test_containers_conf.cpp
  unit/audit/test_canary_catalog.cpp
  unit/audit/test_layers.cpp)
target_link_libraries(unit_tests PRIVATE hardrun::audit PkgConfig::LIBARCHIVE)
