#include "libs/core/call_context.h"

#include <utility>

namespace minitok {
namespace {

thread_local CallScope* current_scope = nullptr;

}  // namespace

CallScope::CallScope(CallContext context) : context_(std::move(context)), outer_(current_scope) {
  current_scope = this;
}

CallScope::~CallScope() { current_scope = outer_; }

const CallContext* CallScope::Current() { return current_scope == nullptr ? nullptr : &current_scope->context_; }

}  // namespace minitok
