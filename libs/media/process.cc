#include "libs/media/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace minitok::media {
namespace {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  ~Pipe() {
    if (read_end >= 0) close(read_end);
    if (write_end >= 0) close(write_end);
  }
};

bool MakePipe(Pipe& pipe) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  pipe.read_end = fds[0];
  pipe.write_end = fds[1];
  return true;
}

}  // namespace

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const auto candidate = std::filesystem::path(dir) / program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') {
    return InternalError("RunProcess needs an absolute program path");
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // Nothing of ours (tokens, proxies, library paths) reaches a program parsing untrusted files.
  static char kLocale[] = "LC_ALL=C";
  char* environment[] = {kLocale, nullptr};
  const struct {
    int resource;
    std::uint64_t value;
  } limits[] = {{RLIMIT_CPU, options.limits.cpu_seconds},
                {RLIMIT_AS, options.limits.address_space_bytes},
                {RLIMIT_FSIZE, options.limits.file_size_bytes},
                {RLIMIT_NOFILE, options.limits.open_files}};
  const rlimit no_core_dumps{0, 0};  // a crashed decoder leaves no image of its memory behind

  Pipe out;
  Pipe err;
  if (!MakePipe(out) || !MakePipe(err)) return InternalError("pipe failed");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return InternalError("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (options.nice != 0) setpriority(PRIO_PROCESS, 0, options.nice);
    for (const auto& limit : limits) {
      if (limit.value == 0) continue;
      const rlimit value{static_cast<rlim_t>(limit.value), static_cast<rlim_t>(limit.value)};
      if (setrlimit(limit.resource, &value) != 0) _exit(126);
    }
    if (setrlimit(RLIMIT_CORE, &no_core_dumps) != 0) _exit(126);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(out.write_end, STDOUT_FILENO);
    dup2(err.write_end, STDERR_FILENO);
    execve(args[0], args.data(), environment);
    _exit(127);
  }
  close(out.write_end);
  out.write_end = -1;
  close(err.write_end);
  err.write_end = -1;

  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  pollfd fds[2] = {{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  int open_streams = 2;
  char buffer[16384];
  while (open_streams > 0) {
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    if (options.cancel != nullptr && options.cancel->load()) {
      result.cancelled = true;
      kill(pid, SIGKILL);
      break;
    }
    // A cancellable child is checked often enough that a stop never waits for it long.
    const long long longest_wait_ms = options.cancel != nullptr ? 100 : 1000;
    const int ready = poll(fds, 2, static_cast<int>(std::min<long long>(remaining.count(), longest_wait_ms)));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        if (i == 0 && options.on_stdout) options.on_stdout(std::string_view(buffer, static_cast<std::size_t>(n)));
        std::string& sink = *sinks[i];
        sink.append(buffer, static_cast<std::size_t>(n));
        if (sink.size() > options.max_output_bytes) {
          sink.erase(0, sink.size() - options.max_output_bytes);
        }
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace minitok::media
