// SPDX-License-Identifier: Apache-2.0
// Implemented by the trust module work; see hardrun/image/reference.hpp.
#include "hardrun/image/reference.hpp"
