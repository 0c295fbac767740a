#include "debug_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>

#include "raw_io.h"

namespace yasmin {
namespace preload {

void DebugLog::Printf(const char* format, ...) const {
  if (!enabled_) return;
  const int saved_errno = errno;
  char line[kMaxLineBytes];
  // Room for the '\n' is kept: snprintf's NUL takes that byte, and is then replaced.
  int length = std::snprintf(line, sizeof(line), "yasmin[%d]: ", static_cast<int>(getpid()));
  if (length < 0) length = 0;
  va_list arguments;
  va_start(arguments, format);
  const int text = std::vsnprintf(line + length, sizeof(line) - length, format, arguments);
  va_end(arguments);
  if (text > 0) length += text;
  if (length > static_cast<int>(sizeof(line)) - 1) length = sizeof(line) - 1;
  line[length++] = '\n';

  if (file_.empty()) {
    RawWrite(STDERR_FILENO, line, length);
  } else {
    const int fd = RawOpen(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd >= 0) {
      RawWrite(fd, line, length);
      RawClose(fd);
    }
  }
  errno = saved_errno;
}

}  // namespace preload
}  // namespace yasmin
