// The text `yasminctl status` prints without --json (docs/yasmind.md, "yasminctl"): a table
// of the domains, one of what their views list, the pairs of domains the views connect and
// the problems found.  Every byte that came from XenStore goes through EscapeForTerminal()
// (text_escape.h), so each cell is one word and nothing a domain's name holds reaches the
// terminal raw.

#ifndef YASMIN_DOM0_BACKEND_STATUS_TABLE_H_
#define YASMIN_DOM0_BACKEND_STATUS_TABLE_H_

#include <ostream>

#include "status_report.h"

namespace yasmin {

void PrintStatusTable(const StatusReport& report, std::ostream& out);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_STATUS_TABLE_H_
