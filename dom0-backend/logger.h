// yasmind's log: every message goes through here, to stderr while yasmind runs in the
// foreground (the terminal, or systemd's journal) and to syslog once it has detached.  libxl's
// own messages are routed here too (libxl_connection.h), so that none is lost to a closed
// stderr.

#ifndef YASMIN_DOM0_BACKEND_LOGGER_H_
#define YASMIN_DOM0_BACKEND_LOGGER_H_

#include <string>

#include "options.h"

namespace yasmin {

enum class LogTarget { kStderr, kSyslog };

// Messages below min_level are dropped.  Starts as (kStderr, kInfo); call before any thread
// logs: the settings themselves are not synchronised.
void ConfigureLog(LogTarget target, LogLevel min_level);

bool LogEnabled(LogLevel level);

// One message, without a trailing newline.  Safe to call from several threads.
void Log(LogLevel level, const std::string& message);

inline void LogError(const std::string& message) { Log(LogLevel::kError, message); }
inline void LogWarn(const std::string& message) { Log(LogLevel::kWarn, message); }
inline void LogInfo(const std::string& message) { Log(LogLevel::kInfo, message); }
inline void LogDebug(const std::string& message) { Log(LogLevel::kDebug, message); }

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_LOGGER_H_
