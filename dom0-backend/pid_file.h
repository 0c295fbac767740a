// The pid file of a running yasmind, locked for as long as it runs: the init script finds the
// daemon through it, and a second yasmind refuses to start instead of racing the first one
// over the same XenStore nodes.  The lock (not the file's existence) is what counts, so a file
// left behind by a yasmind killed with -9 does not stop a new one.

#ifndef YASMIN_DOM0_BACKEND_PID_FILE_H_
#define YASMIN_DOM0_BACKEND_PID_FILE_H_

#include <memory>
#include <string>

namespace yasmin {

class PidFile {
 public:
  // Opens and locks path without writing it yet.  Returns nullptr and sets *error when it
  // cannot, saying which pid holds it when another yasmind does.
  static std::unique_ptr<PidFile> Lock(const std::string& path, std::string* error);

  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  // Removes the file: yasmind is stopping.
  ~PidFile();

  // Writes the calling process's pid; call in the process that will keep running.
  bool WritePid(std::string* error);

 private:
  PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_PID_FILE_H_
