# SPDX-License-Identifier: Apache-2.0
target_sources(unit_tests PRIVATE unit/config/test_config.cpp)
