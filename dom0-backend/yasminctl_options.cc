#include "yasminctl_options.h"

#include <sstream>
#include <vector>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace yasmin {
namespace {

constexpr char kStatusCommand[] = "status";

po::options_description GlobalOptions(CtlOptions* options) {
  po::options_description description("Options");
  description.add_options()
      ("help", po::bool_switch(&options->show_help), "print this help and exit")
      ("version", po::bool_switch(&options->show_version), "print the version and exit");
  return description;
}

po::options_description StatusOptions(CtlOptions* options) {
  po::options_description description("Options of status");
  description.add_options()
      ("json", po::bool_switch(&options->json), "print one JSON object instead of the tables")
      ("help", po::bool_switch(&options->show_help), "print this help and exit");
  return description;
}

// Parses args, which hold flags only, into what description points at.  Returns why they were
// rejected, or "" when they were not.  stray_word_error says what is wrong with a word that is
// not a flag.
std::string ParseFlags(const std::vector<std::string>& args,
                       const po::options_description& description,
                       const std::string& stray_word_error) {
  // No abbreviations: "--js" may work today and become ambiguous when a flag is added,
  // silently breaking the scripts that use it.
  const int style = po::command_line_style::default_style &
                    ~po::command_line_style::allow_guessing;
  try {
    const po::parsed_options parsed =
        po::command_line_parser(args).options(description).style(style).run();
    // Boost hands back a stray word as an option without a name, which store() would
    // silently drop.
    for (const po::option& option : parsed.options) {
      if (option.string_key.empty()) {
        return "unexpected argument '" + option.original_tokens.front() + "': " +
               stray_word_error;
      }
    }
    po::variables_map values;
    po::store(parsed, values);
    po::notify(values);
  } catch (const po::error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

ParsedCtlCommandLine ParseCtlCommandLine(int argc, const char* const argv[]) {
  ParsedCtlCommandLine result;
  std::vector<std::string> args;
  for (int i = 1; i < argc; i++) args.emplace_back(argv[i]);
  if (args.empty()) {
    result.error = "no command given";
    return result;
  }

  if (args.front().empty() || args.front()[0] != '-') {
    const std::string command = args.front();
    args.erase(args.begin());
    if (command != kStatusCommand) {
      result.error = "unknown command '" + command + "': the only command is 'status'";
      return result;
    }
    result.options.command = CtlCommand::kStatus;
    result.error = ParseFlags(args, StatusOptions(&result.options), "status takes no arguments");
    return result;
  }

  result.error = ParseFlags(args, GlobalOptions(&result.options),
                            "the command comes before its options");
  if (result.ok() && !result.options.show_help && !result.options.show_version) {
    result.error = "no command given";  // e.g. a lone "--"
  }
  return result;
}

std::string CtlUsageText() {
  CtlOptions unused;
  std::ostringstream text;
  text << "Usage: yasminctl status [--json]\n"
       << "       yasminctl --help | --version\n"
       << "Shows what yasmind published in XenStore for the co-located guests; changes\n"
       << "nothing.  Needs root in dom0.\n\n"
       << "Commands:\n"
       << "  status    every domain with its CID, its view's generation and the peers it\n"
       << "            lists; per peer the CID, the addresses and the keys of the rendezvous\n"
       << "            directory; the pairs of domains the views connect; what does not fit\n"
       << "            the contract\n\n"
       << GlobalOptions(&unused) << "\n"
       << StatusOptions(&unused) << "\n"
       << "Exit status: 0 done, 1 XenStore cannot be read, 2 bad command line.\n";
  return text.str();
}

}  // namespace yasmin
