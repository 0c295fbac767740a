#include "text_escape.h"

namespace yasmin {

std::string EscapeForTerminal(const std::string& bytes) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string escaped;
  escaped.reserve(bytes.size());
  for (const char c : bytes) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      escaped += "\\\\";
    } else if (byte > ' ' && byte < 0x7f && c != '"') {
      escaped += c;
    } else {
      escaped += "\\x";
      escaped += kHexDigits[byte >> 4];
      escaped += kHexDigits[byte & 0xf];
    }
  }
  return escaped;
}

}  // namespace yasmin
