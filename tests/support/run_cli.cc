#include "support/run_cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <thread>

#include "support/shared_data.h"

extern char** environ;

namespace cola::test {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::string s;
  if (std::FILE* f = std::fopen(p.c_str(), "rb")) {
    char buf[65536];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
  }
  return s;
}

// Starts cola (through `prefix`, a command that runs the rest, when given) with stdin, stdout and
// stderr redirected to the given files; returns its pid.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& in, const std::string& out, const std::string& err,
            const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> argv_s = prefix;
  argv_s.emplace_back(COLA_BINARY);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    const auto key = kv.substr(0, kv.find('='));
    if (env.count(key) == 0) env_s.push_back(kv);
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
  return pid;
}

CliResult collect(pid_t pid, const std::string& out, const std::string& err) {
  int status = 0;
  waitpid(pid, &status, 0);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace

CliResult run_cli(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env, const std::string& stdin_text) {
  TempDir tmp;
  const auto in = tmp / "stdin", out = tmp / "stdout", err = tmp / "stderr";
  if (std::FILE* f = std::fopen(in.c_str(), "wb")) {
    std::fwrite(stdin_text.data(), 1, stdin_text.size(), f);
    std::fclose(f);
  }
  return collect(spawn(args, env, in, out, err), out, err);
}

BackgroundCli::BackgroundCli(const std::vector<std::string>& args, const std::string& stdin_path,
                             const std::map<std::string, std::string>& env,
                             const std::vector<std::string>& prefix) {
  const auto base = std::filesystem::temp_directory_path() /
                    ("cola-bg-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  out_ = base.string() + ".out";
  err_ = base.string() + ".err";
  pid_ = spawn(args, env, stdin_path, out_, err_, prefix);
}

std::string BackgroundCli::out_so_far() const { return slurp(out_); }
std::string BackgroundCli::err_so_far() const { return slurp(err_); }

BackgroundCli::~BackgroundCli() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::remove(out_.c_str());
  std::remove(err_.c_str());
}

void BackgroundCli::signal(int sig) const { ::kill(pid_, sig); }

CliResult BackgroundCli::wait() {
  auto r = collect(pid_, out_, err_);
  pid_ = -1;
  return r;
}

int wait_for_port(const BackgroundCli& cli, const std::string& pattern) {
  const std::regex line(pattern);
  for (int i = 0; i < 600; ++i) {
    std::smatch m;
    const std::string out = cli.out_so_far();
    if (std::regex_search(out, m, line)) return std::stoi(m[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

int count_lines(const std::string& text) {
  if (text.empty()) return 0;
  const auto n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  return text.back() == '\n' ? n : n + 1;
}

size_t count_occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

std::vector<std::string> tiny_train_args(const std::string& run_dir, int batches) {
  return {"train",
          "hydra.run.dir=" + run_dir,
          "model.num_hidden_layers=1",
          "model.hidden_size=32",
          "model.num_attention_heads=2",
          "model.intermediate_size=64",
          "training.max_epochs=1",
          "training.limit_train_batches=" + std::to_string(batches),
          "training.num_threads=1"};
}

}  // namespace cola::test
