#pragma once
// Event-loop threads never block. A read whose data is most likely cached may still be tried on
// the loop: inside a NonBlockingScope, blocking work (a database transaction) refuses to start
// and answers Code::kWouldBlock, the scope remembers that, and the caller runs the whole request
// on a worker instead. Only side-effect-free work may be tried this way (a refused attempt is
// simply dropped), so the scope is for reads.

namespace minitok {

class NonBlockingScope {
 public:
  NonBlockingScope();
  ~NonBlockingScope();
  NonBlockingScope(const NonBlockingScope&) = delete;
  NonBlockingScope& operator=(const NonBlockingScope&) = delete;

  /// Whether some work inside the scope needed to block (and did not run).
  bool refused() const { return refused_; }

  /// Called by blocking work before it starts: true when a scope is open on this thread (the
  /// work must not start; the scope records the refusal).
  static bool RefuseBlocking();

 private:
  NonBlockingScope* outer_;
  bool refused_ = false;
};

}  // namespace minitok
