#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace minitok {

/// Parses an integer parameter. Accepts plain decimal ("1234567", "-5") and the exact exponent
/// form that Go's %v prints for float64 ("1.234567e+06", "1e3"), because the official demo's
/// test client re-sends ids that way. Anything inexact ("1.5"), empty, or out of range is refused.
std::optional<std::int64_t> ParseExactInteger(std::string_view text);

}  // namespace minitok
