# SPDX-License-Identifier: Apache-2.0
target_sources(unit_tests PRIVATE unit/systemd/test_systemd.cpp)
