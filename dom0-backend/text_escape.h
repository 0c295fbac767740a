// Makes bytes read from XenStore safe to print on a terminal.  A domain's name and a view's
// values are whatever was written there, and a name chosen by a guest's owner must not be able
// to move the cursor, rewrite earlier lines or fake a column of `yasminctl status`.

#ifndef YASMIN_DOM0_BACKEND_TEXT_ESCAPE_H_
#define YASMIN_DOM0_BACKEND_TEXT_ESCAPE_H_

#include <string>

namespace yasmin {

// Keeps printable ASCII other than space, '"' and '\'; writes '\' as "\\" and every other byte
// as "\xNN" (two lowercase hex digits).  So the result is one word of printable ASCII that
// can be put in a table column or between double quotes, and two different inputs never
// look the same.  Bytes above 0x7f are escaped too: C1 control characters hide among them in
// UTF-8, and whether a terminal shows the rest as text depends on its locale.
std::string EscapeForTerminal(const std::string& bytes);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_TEXT_ESCAPE_H_
