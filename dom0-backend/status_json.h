// `yasminctl status --json`: the report (status_report.h) as one JSON object, for scripts and
// monitoring (docs/yasmind.md, "yasminctl").  Values from XenStore are bytes and may not be
// UTF-8; they come out as JSON strings in which every invalid sequence is replaced by U+FFFD,
// so the output is always valid JSON and valid UTF-8.

#ifndef YASMIN_DOM0_BACKEND_STATUS_JSON_H_
#define YASMIN_DOM0_BACKEND_STATUS_JSON_H_

#include <string>

#include "status_report.h"

namespace yasmin {

// The JSON text, indented, ending in a newline.
std::string FormatStatusJson(const StatusReport& report);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_STATUS_JSON_H_
