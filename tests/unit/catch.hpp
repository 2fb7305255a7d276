// SPDX-License-Identifier: Apache-2.0
// Catch2 v2 on Debian 12 (<catch2/catch.hpp>); v3 spells it <catch2/catch_all.hpp>.
#pragma once
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
