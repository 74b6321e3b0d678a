#include "dist/launch.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/error.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace cola::dist {
namespace {

using Clock = std::chrono::steady_clock;

// What cola's main() prints before the one line of a failure. The launcher holds such lines back,
// so the user sees one error that names the rank, not one per worker.
constexpr std::string_view kErrorMarker = "cola: error: ";

std::atomic<int> g_signals{0};
std::atomic<int> g_last_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "set from a signal handler");

extern "C" void on_launcher_signal(int signal) {
  g_last_signal.store(signal);
  g_signals.fetch_add(1);
}

// SIGINT and SIGTERM only count while the workers run: the loop forwards each one to every worker
// (their first is cooperative, a second kills them), so the launcher outlives them and reports.
class SignalForwarding {
 public:
  SignalForwarding() {
    g_signals.store(0);
    struct sigaction action {};
    action.sa_handler = on_launcher_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~SignalForwarding() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalForwarding(const SignalForwarding&) = delete;
  SignalForwarding& operator=(const SignalForwarding&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// A port nobody listens on now, as torchrun --standalone picks one; rank 0's store binds it.
int free_port(const std::string& addr) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1)
    throw UsageError(fmt::format("master address {} is not an IPv4 address", addr));
  const Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  socklen_t len = sizeof sa;
  if (fd.get() < 0 || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    throw Error(fmt::format("cannot find a free port on {}: {}", addr, std::strerror(errno)));
  }
  return ntohs(sa.sin_port);
}

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  Fd err;                     // read end of its stderr
  std::string pending;        // bytes not yet forwarded
  bool line_start = true;     // pending starts a line
  bool holding = false;       // inside a held-back error line
  std::string error_text;     // its "cola: error: " line, without the marker
  std::optional<int> status;  // from waitpid, once reaped
  int failure_order = -1;     // when it failed on its own (before the launcher stopped anyone)

  bool failed() const { return status && !(WIFEXITED(*status) && WEXITSTATUS(*status) == 0); }
};

void write_stderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

// Forwards what a worker wrote to stderr, holding back its error line. Rank 0's bytes go through
// as they come (its progress bar redraws with \r); the others' go a whole line at a time, prefixed.
void forward(Worker& w, std::string_view data, bool eof) {
  w.pending.append(data);
  size_t at = 0;
  while (at < w.pending.size()) {
    const std::string_view rest(w.pending.data() + at, w.pending.size() - at);
    if (w.holding) {
      const size_t nl = rest.find('\n');
      if (nl == std::string_view::npos && !eof) break;
      w.error_text += rest.substr(0, nl);
      at += nl == std::string_view::npos ? rest.size() : nl + 1;
      w.holding = false;
      w.line_start = true;
      continue;
    }
    if (w.line_start) {
      if (rest.starts_with(kErrorMarker)) {
        if (!w.error_text.empty()) w.error_text += "; ";
        w.holding = true;
        at += kErrorMarker.size();
        continue;
      }
      if (!eof && kErrorMarker.starts_with(rest)) break;  // may still become the marker
    }
    if (w.rank == 0) {
      const size_t end = rest.find_first_of("\r\n");
      const size_t n = end == std::string_view::npos ? rest.size() : end + 1;
      write_stderr(rest.substr(0, n));
      w.line_start = end != std::string_view::npos;
      at += n;
      continue;
    }
    const size_t nl = rest.find('\n');
    if (nl == std::string_view::npos && !eof) break;
    const auto line = rest.substr(0, nl);
    write_stderr(fmt::format("[rank {}] {}\n", w.rank, line));
    at += nl == std::string_view::npos ? rest.size() : nl + 1;
  }
  w.pending.erase(0, at);
}

// The environment of one worker: this process's, with the launcher's variables set.
std::vector<std::string> worker_env(int rank, const LaunchOptions& o, int port) {
  const std::vector<std::pair<std::string, std::string>> ours = {
      {"RANK", std::to_string(rank)},
      {"LOCAL_RANK", std::to_string(rank)},
      {"WORLD_SIZE", std::to_string(o.nproc)},
      {"LOCAL_WORLD_SIZE", std::to_string(o.nproc)},
      {"MASTER_ADDR", o.master_addr},
      {"MASTER_PORT", std::to_string(port)},
      {"COLA_LAUNCHER", "1"},
      // Rank 0's stderr is a pipe to us; tell its progress bar whether ours is a terminal.
      {"COLA_STDERR_IS_TTY", rank == 0 && ::isatty(STDERR_FILENO) != 0 ? "1" : "0"}};
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [key, value] : ours) replaced = replaced || name == key;
    // A launcher inside a torchrun or Slurm job is refused earlier; drop their rank anyway.
    if (!replaced && name != "SLURM_PROCID") env.emplace_back(entry);
  }
  for (const auto& [key, value] : ours) env.push_back(fmt::format("{}={}", key, value));
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& items) {
  std::vector<char*> out;
  out.reserve(items.size() + 1);
  for (auto& s : items) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void start(Worker& w, const LaunchOptions& o, int port) {
  auto args = o.argv;
  auto env = worker_env(w.rank, o, port);
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  const std::string exec_failure = fmt::format("{}cannot run {}: ", kErrorMarker, args[0]);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw Error(fmt::format("pipe: {}", std::strerror(errno)));
  w.err = Fd(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);
  const pid_t parent = ::getpid();
  // The child inherits the launcher's SIGINT/SIGTERM handler until exec: a stop sent in between
  // would be swallowed by it, and the worker would run on until the SIGKILL. So both are blocked
  // across the fork, the child resets them to the default and unblocks them (a pending one then
  // ends it), and the parent unblocks them once it has the pid.
  sigset_t stops;
  sigset_t old_mask;
  sigemptyset(&stops);
  sigaddset(&stops, SIGINT);
  sigaddset(&stops, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &stops, &old_mask);
  const pid_t pid = ::fork();
  if (pid != 0) ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (pid < 0) throw Error(fmt::format("cannot start rank {}: {}", w.rank, std::strerror(errno)));
  if (pid == 0) {
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    // The child: only async-signal-safe calls until exec. Its own process group keeps the
    // terminal's Ctrl-C from reaching it twice (directly and forwarded); PDEATHSIG keeps it from
    // outliving a launcher that was killed outright.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, STDIN_FILENO);
    if (w.rank != 0) ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(write_end.get(), STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    const char* reason = std::strerror(errno);
    (void)!::write(STDERR_FILENO, exec_failure.data(), exec_failure.size());
    (void)!::write(STDERR_FILENO, reason, std::strlen(reason));
    (void)!::write(STDERR_FILENO, "\n", 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so that it holds before the parent signals the group
  w.pid = pid;
}

void signal_all(std::vector<Worker>& workers, int signal) {
  for (auto& w : workers)
    if (w.pid > 0 && !w.status) ::kill(-w.pid, signal);
}

// The one error for a failed job: a rank killed by a signal, else one whose error is its own (not
// "lost contact with the other ranks", which is the consequence of another's failure), else the
// first to fail.
const Worker& culprit(const std::vector<Worker>& workers) {
  const Worker* first = nullptr;
  const Worker* own_error = nullptr;
  for (const auto& w : workers) {
    if (w.failure_order < 0) continue;
    if (WIFSIGNALED(*w.status)) return w;
    if (!first || w.failure_order < first->failure_order) first = &w;
    if (w.error_text.find("lost contact with") == std::string::npos &&
        (!own_error || w.failure_order < own_error->failure_order))
      own_error = &w;
  }
  return own_error ? *own_error : *first;
}

[[noreturn]] void report_failure(const std::vector<Worker>& workers) {
  const Worker& w = culprit(workers);
  for (const auto& other : workers) {
    if (&other != &w && !other.error_text.empty())
      write_stderr(fmt::format("[rank {}] {}\n", other.rank, other.error_text));
  }
  const int status = *w.status;
  if (WIFSIGNALED(status)) {
    throw Error(fmt::format("rank {} was killed by signal {} ({})", w.rank, WTERMSIG(status),
                            strsignal(WTERMSIG(status))));
  }
  std::string text = w.error_text;
  const std::string own_prefix = fmt::format("rank {}: ", w.rank);
  if (text.starts_with(own_prefix)) text.erase(0, own_prefix.size());
  const int code = WEXITSTATUS(status);
  const auto message = text.empty()
                           ? fmt::format("rank {} exited with code {}", w.rank, code)
                           : fmt::format("rank {} exited with code {}: {}", w.rank, code, text);
  if (code == 2) throw UsageError(message);
  throw Error(message);
}

}  // namespace

void launch_local(const LaunchOptions& options) {
  if (options.nproc < 1) throw UsageError("training.nproc: expected at least 1 process");
  if (options.argv.empty()) throw UsageError("no command to launch");
  const int port = options.master_port > 0 ? options.master_port : free_port(options.master_addr);
  const SignalForwarding forwarding;
  std::vector<Worker> workers(static_cast<size_t>(options.nproc));
  try {
    for (int r = 0; r < options.nproc; ++r) {
      workers[static_cast<size_t>(r)].rank = r;
      start(workers[static_cast<size_t>(r)], options, port);
    }
  } catch (...) {
    signal_all(workers, SIGKILL);
    for (auto& w : workers)
      if (w.pid > 0) ::waitpid(w.pid, nullptr, 0);
    throw;
  }

  int forwarded = 0;
  int failures = 0;
  bool interrupted = false;
  bool stopping = false;
  std::optional<Clock::time_point> kill_at;   // SIGKILL whoever is left, after the grace period
  std::optional<Clock::time_point> drain_by;  // all reaped: stop waiting for stderr to close
  for (;;) {
    if (const int n = g_signals.load(); n > forwarded) {
      forwarded = n;
      interrupted = true;
      signal_all(workers, g_last_signal.load());
    }
    std::vector<pollfd> fds;
    std::vector<Worker*> owners;
    for (auto& w : workers) {
      if (w.err.get() < 0) continue;
      fds.push_back({w.err.get(), POLLIN, 0});
      owners.push_back(&w);
    }
    if (!fds.empty()) ::poll(fds.data(), fds.size(), 50);
    for (size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[65536];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        forward(*owners[i], std::string_view(buf, static_cast<size_t>(n)), false);
      } else if (n == 0 || errno != EINTR) {
        forward(*owners[i], {}, true);
        owners[i]->err.reset();
      }
    }
    bool all_reaped = true;
    for (auto& w : workers) {
      if (w.status) continue;
      int status = 0;
      if (::waitpid(w.pid, &status, WNOHANG) == w.pid) {
        w.status = status;
        if (w.failed() && !stopping && !interrupted) w.failure_order = failures++;
      }
      all_reaped = all_reaped && w.status.has_value();
    }
    const auto now = Clock::now();
    if (failures > 0 && !stopping) {
      stopping = true;
      signal_all(workers, SIGTERM);
      kill_at = now + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(options.grace_s));
    }
    if (kill_at && now >= *kill_at) {
      signal_all(workers, SIGKILL);
      kill_at.reset();
    }
    if (all_reaped) {
      if (!drain_by) drain_by = now + std::chrono::seconds(1);
      bool open = false;
      for (auto& w : workers) open = open || w.err.get() >= 0;
      if (!open || now >= *drain_by) break;  // a leftover grandchild may hold a pipe
    } else if (fds.empty()) {
      ::usleep(50'000);
    }
  }
  for (auto& w : workers)
    if (w.err.get() >= 0) forward(w, {}, true);

  if (failures > 0) report_failure(workers);
  bool all_ok = true;
  for (const auto& w : workers) all_ok = all_ok && !w.failed();
  if (all_ok) return;
  // Interrupted: every rank stopped at the same step and rank 0 said how to resume.
  for (const auto& w : workers)
    if (!w.error_text.empty()) throw Error(w.error_text);
  throw Error("interrupted");
}

}  // namespace cola::dist
