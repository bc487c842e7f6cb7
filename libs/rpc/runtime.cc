#include "libs/rpc/runtime.h"

#include <absl/synchronization/mutex.h>

namespace minitok::rpc {

void PrepareGrpcRuntime() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace minitok::rpc
