#include "pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace yasmin {
namespace {

// What the holder wrote, for the message; empty if unreadable.
std::string ReadHolder(int fd) {
  char text[32] = {};
  const ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
  std::string pid = n > 0 ? std::string(text, static_cast<size_t>(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

std::unique_ptr<PidFile> PidFile::Lock(const std::string& path, std::string* error) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    *error = "cannot open the pid file " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  // flock() locks belong to the open file description, which the detached child inherits
  // across fork(): the lock stays held by whichever process keeps the descriptor.
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_errno = errno;
    const std::string holder = ReadHolder(fd);
    close(fd);
    if (lock_errno == EWOULDBLOCK) {
      *error = "another yasmind is running" +
               (holder.empty() ? std::string() : " (pid " + holder + ")") + ": " + path +
               " is locked";
    } else {
      *error = "cannot lock the pid file " + path + ": " + std::strerror(lock_errno);
    }
    return nullptr;
  }
  return std::unique_ptr<PidFile>(new PidFile(path, fd));
}

PidFile::~PidFile() {
  unlink(path_.c_str());
  close(fd_);
}

bool PidFile::WritePid(std::string* error) {
  const std::string text = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_, 0) != 0 ||
      pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    *error = "cannot write the pid file " + path_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace yasmin
