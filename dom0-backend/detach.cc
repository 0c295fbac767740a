#include "detach.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace yasmin {
namespace {

// The first byte the child sends: ready, or a failure message follows.
constexpr char kReady = '+';
constexpr char kFailed = '-';

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone: nobody to tell
    done += static_cast<size_t>(n);
  }
}

// The parent: waits for the child's verdict and exits with it.
[[noreturn]] void WaitForChild(int read_fd, pid_t child) {
  std::string report;
  char buffer[512];
  for (;;) {
    const ssize_t n = read(read_fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buffer, static_cast<size_t>(n));
  }
  if (!report.empty() && report[0] == kReady) _exit(EXIT_SUCCESS);
  if (!report.empty() && report[0] == kFailed) {
    std::fprintf(stderr, "yasmind: %s\n", report.c_str() + 1);
  } else {
    // Closed without a word: the child died.  Reap it to say how.
    int status = 0;
    waitpid(child, &status, 0);
    std::fprintf(stderr, "yasmind: the daemon died while starting (%s %d)\n",
                 WIFSIGNALED(status) ? "signal" : "exit status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  }
  _exit(EXIT_FAILURE);
}

}  // namespace

bool Detacher::Detach(std::string* error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return false;
  }
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) {
    *error = std::string("cannot fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (child > 0) {
    close(fds[1]);
    WaitForChild(fds[0], child);
  }
  close(fds[0]);
  report_fd_ = fds[1];
  setsid();  // cannot fail: a fresh child is never a process group leader
  if (chdir("/") != 0) {
    // "/" always exists; if it cannot be entered, nothing else will work either
  }
  return true;
}

void Detacher::ReportReady() {
  const int null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) close(null_fd);
  }
  WriteAll(report_fd_, std::string(1, kReady));
  close(report_fd_);
  report_fd_ = -1;
}

void Detacher::ReportFailure(const std::string& message) {
  WriteAll(report_fd_, kFailed + message);
  close(report_fd_);
  report_fd_ = -1;
}

}  // namespace yasmin
