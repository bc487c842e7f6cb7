#include "libs/core/call_context.h"

#include <utility>

namespace minitok {
namespace {

thread_local CallScope* current_scope = nullptr;

bool IsLowerHex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

bool IsTraceparent(std::string_view text) {
  if (text.size() != 55 || text.substr(0, 3) != "00-" || text[35] != '-' || text[52] != '-') return false;
  const std::string_view trace_id = text.substr(3, 32);
  const std::string_view span_id = text.substr(36, 16);
  return IsLowerHex(trace_id) && IsLowerHex(span_id) && IsLowerHex(text.substr(53, 2)) &&
         trace_id.find_first_not_of('0') != std::string_view::npos &&
         span_id.find_first_not_of('0') != std::string_view::npos;
}

CallScope::CallScope(CallContext context) : context_(std::move(context)), outer_(current_scope) {
  current_scope = this;
}

CallScope::~CallScope() { current_scope = outer_; }

const CallContext* CallScope::Current() { return current_scope == nullptr ? nullptr : &current_scope->context_; }

}  // namespace minitok
