// Escaping XenStore bytes for the terminal (dom0-backend/text_escape.h).

#include "text_escape.h"

#include <string>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

TEST(TextEscapeTest, PrintableAsciiIsKept) {
  EXPECT_EQ("guest-a_1.example:fd00::1/64", EscapeForTerminal("guest-a_1.example:fd00::1/64"));
  EXPECT_EQ("", EscapeForTerminal(""));
}

TEST(TextEscapeTest, ControlCharactersSpacesAndQuotesAreHexEscaped) {
  EXPECT_EQ("a\\x0ab\\x09c\\x1b[2J\\x7f", EscapeForTerminal("a\nb\tc\x1b[2J\x7f"));
  EXPECT_EQ("two\\x20words", EscapeForTerminal("two words"));
  EXPECT_EQ("\\x22quoted\\x22", EscapeForTerminal("\"quoted\""));
  EXPECT_EQ("\\x00", EscapeForTerminal(std::string(1, '\0')));
}

// C1 controls hide in UTF-8 (U+009B is CSI on some terminals): every byte above 0x7f goes.
TEST(TextEscapeTest, BytesAboveAsciiAreHexEscaped) {
  EXPECT_EQ("\\xc2\\x9b2J", EscapeForTerminal("\xc2\x9b" "2J"));
  EXPECT_EQ("b\\xc3\\xbccher", EscapeForTerminal("b\xc3\xbc" "cher"));
  EXPECT_EQ("\\xff", EscapeForTerminal("\xff"));
}

// Otherwise "\x41" as a name would print the same as "A" escaped, or as a backslash and "x41".
TEST(TextEscapeTest, BackslashIsDoubledSoEscapesAreUnambiguous) {
  EXPECT_EQ("\\\\x41", EscapeForTerminal("\\x41"));
  EXPECT_NE(EscapeForTerminal("\\x0a"), EscapeForTerminal("\n"));
}

}  // namespace
}  // namespace yasmin
