#pragma once
// Runs the real `cola` binary (end-to-end tests drive the CLI as a user would).
#include <map>
#include <string>
#include <vector>

namespace cola::test {

struct CliResult {
  int exit_code = -1;  // the process exit status; 128+N when killed by signal N
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
};

/// Runs `cola args...` with optional extra environment variables and stdin text; waits for it.
CliResult run_cli(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {},
                  const std::string& stdin_text = "");

/// `cola train` arguments for a run of seconds into `run_dir`: bert with 1 layer, hidden 32, on
/// data/sample for one epoch of `batches` batches, 1 thread. The trained checkpoint the CLI tests
/// of export, predict and train start from.
std::vector<std::string> tiny_train_args(const std::string& run_dir, int batches = 5);

/// A `cola` process started in the background (to signal it while it works).
class BackgroundCli {
 public:
  /// Starts `cola args...` with stdout and stderr captured to files, and stdin read from
  /// `stdin_path` (a FIFO lets a test feed it line by line), with `env` added to the environment.
  /// A `prefix` command (an absolute path, then its arguments) runs cola, e.g. in a network
  /// namespace: {"/usr/sbin/ip", "netns", "exec", "ns0"}.
  explicit BackgroundCli(const std::vector<std::string>& args,
                         const std::string& stdin_path = "/dev/null",
                         const std::map<std::string, std::string>& env = {},
                         const std::vector<std::string>& prefix = {});
  /// What the process has written to stdout (stderr) so far.
  std::string out_so_far() const;
  std::string err_so_far() const;
  int pid() const { return pid_; }
  ~BackgroundCli();
  BackgroundCli(const BackgroundCli&) = delete;
  BackgroundCli& operator=(const BackgroundCli&) = delete;
  /// Sends a signal (e.g. SIGINT).
  void signal(int sig) const;
  /// Waits for the process to end and returns what it printed and its exit code.
  CliResult wait();

 private:
  int pid_ = -1;
  std::string out_, err_;
};

/// Waits (up to 60 s) for the process to print a line matching `pattern`, whose first group is a
/// port ("listening on http://127.0.0.1:(\\d+)"), and returns it; -1 if it never does.
int wait_for_port(const BackgroundCli& cli, const std::string& pattern);

/// Number of lines in `text` (a trailing newline does not start a new line).
int count_lines(const std::string& text);

/// Number of non-overlapping occurrences of `needle` in `text`.
size_t count_occurrences(const std::string& text, const std::string& needle);

}  // namespace cola::test
