// The preload's debug log (YASMIN_DEBUG, env_config.h): one line per event, to stderr or
// appended to a file.
//
// Each line is written with one write() of at most kMaxLineBytes, so that lines of threads
// and processes sharing the destination do not interleave.  A file is opened anew for every
// line: programs close descriptors they did not open (daemons close them all, close_range()),
// and a descriptor kept by the library could be closed and its number reused for one of the
// program's sockets, into which the log would then write.  stderr has that risk and nothing to
// do about it: the debug log is for debugging.

#ifndef YASMIN_PRELOAD_DEBUG_LOG_H_
#define YASMIN_PRELOAD_DEBUG_LOG_H_

#include <cstddef>
#include <string>
#include <utility>

namespace yasmin {
namespace preload {

class DebugLog {
 public:
  static constexpr size_t kMaxLineBytes = 512;

  // Off: Printf() does nothing.
  DebugLog() = default;
  // On if enabled; to file, or stderr if file is empty.
  DebugLog(bool enabled, std::string file) : enabled_(enabled), file_(std::move(file)) {}

  bool enabled() const { return enabled_; }

  // Writes "yasmin[<pid>]: " and the formatted text, cut to fit kMaxLineBytes, and '\n'.
  // Failures to write are ignored: logging must not change what the program sees (errno is
  // kept too).
  void Printf(const char* format, ...) const __attribute__((format(printf, 2, 3)));

 private:
  bool enabled_ = false;
  std::string file_;
};

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_DEBUG_LOG_H_
