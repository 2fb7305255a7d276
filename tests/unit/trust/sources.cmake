# SPDX-License-Identifier: Apache-2.0
# Trust tests; fixtures in tests/data/trust (make-fixtures.sh). The tests sign sigstore payloads
# with the committed test keys through OpenSSL.
target_sources(unit_tests PRIVATE
  unit/trust/test_reference.cpp
  unit/trust/test_signature.cpp
  unit/trust/test_trust_policy.cpp
  unit/trust/test_identity.cpp
  unit/trust/test_decision.cpp
)
target_link_libraries(unit_tests PRIVATE OpenSSL::Crypto)
