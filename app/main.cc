// The minitok binary: one executable whose role is chosen by its command.

#include <malloc.h>
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/serve.h"

int main(int argc, char** argv) {
  // A client that disconnects mid-write must not kill the server.
  signal(SIGPIPE, SIG_IGN);
  // Every response allocates and frees a body of tens of KiB. With glibc's defaults the freed top
  // of the heap is handed back to the kernel and faulted in again on the next request (page
  // faults and page zeroing were 4% of a cached read); keep up to 64 MiB of it instead.
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  const std::vector<std::string> args(argv, argv + argc);
  auto invocation = minitok::app::ParseCommandLine(args);
  if (!invocation.ok()) {
    std::cerr << "minitok: " << invocation.error().message << std::endl;
    return 2;
  }
  switch (invocation->command) {
    case minitok::app::Command::kHelp:
      std::cout << invocation->help_text;
      return 0;
    case minitok::app::Command::kVersion:
      std::cout << "minitok " << MINITOK_VERSION << std::endl;
      return 0;
    case minitok::app::Command::kSeed:
      return minitok::app::Seed(invocation->config, invocation->seed);
    case minitok::app::Command::kVerify:
      return minitok::app::Verify(invocation->config);
    case minitok::app::Command::kServe:
      try {
        return minitok::app::Serve(invocation->config);
      } catch (const std::exception& e) {
        std::cerr << "minitok: fatal: " << e.what() << std::endl;
        return 1;
      }
  }
  return 1;
}
