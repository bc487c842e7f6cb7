#include "libs/core/non_blocking.h"

namespace minitok {
namespace {

thread_local NonBlockingScope* current_scope = nullptr;

}  // namespace

NonBlockingScope::NonBlockingScope() : outer_(current_scope) { current_scope = this; }

NonBlockingScope::~NonBlockingScope() { current_scope = outer_; }

bool NonBlockingScope::RefuseBlocking() {
  if (current_scope == nullptr) return false;
  current_scope->refused_ = true;
  return true;
}

}  // namespace minitok
