# SPDX-License-Identifier: Apache-2.0
# Catalogue and fault cases of security.md §4 that are unit tests (tests/CATALOGUE.md maps them).
target_sources(unit_tests PRIVATE unit/catalogue/test_crash_consistency.cpp)
# The map of the catalogue: every case id has a row in tests/CATALOGUE.md.
add_test(NAME catalogue_ids COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/unit/catalogue/catalogue_ids.sh")
set_tests_properties(catalogue_ids PROPERTIES LABELS unit)
