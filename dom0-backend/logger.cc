#include "logger.h"

#include <syslog.h>

#include <cstdio>
#include <mutex>

namespace yasmin {
namespace {

LogTarget g_target = LogTarget::kStderr;
LogLevel g_min_level = LogLevel::kInfo;
std::mutex g_stderr_mutex;  // one message per line even when libxl logs from its threads

int SyslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return LOG_ERR;
    case LogLevel::kWarn:
      return LOG_WARNING;
    case LogLevel::kInfo:
      return LOG_INFO;
    case LogLevel::kDebug:
      return LOG_DEBUG;
  }
  return LOG_ERR;
}

const char* Prefix(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error: ";
    case LogLevel::kWarn:
      return "warning: ";
    case LogLevel::kInfo:
    case LogLevel::kDebug:
      return "";
  }
  return "";
}

}  // namespace

void ConfigureLog(LogTarget target, LogLevel min_level) {
  if (target == LogTarget::kSyslog && g_target != LogTarget::kSyslog) {
    openlog("yasmind", LOG_PID, LOG_DAEMON);
  }
  g_target = target;
  g_min_level = min_level;
}

bool LogEnabled(LogLevel level) { return level <= g_min_level; }

void Log(LogLevel level, const std::string& message) {
  if (!LogEnabled(level)) return;
  if (g_target == LogTarget::kSyslog) {
    syslog(SyslogPriority(level), "%s%s", Prefix(level), message.c_str());
    return;
  }
  std::lock_guard<std::mutex> lock(g_stderr_mutex);
  std::fprintf(stderr, "yasmind: %s%s\n", Prefix(level), message.c_str());
}

}  // namespace yasmin
