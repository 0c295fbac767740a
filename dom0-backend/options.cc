#include "options.h"

#include <sstream>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace yasmin {
namespace {

struct LogLevelName {
  LogLevel level;
  const char* name;
};

constexpr LogLevelName kLogLevelNames[] = {
    {LogLevel::kError, "error"},
    {LogLevel::kWarn, "warn"},
    {LogLevel::kInfo, "info"},
    {LogLevel::kDebug, "debug"},
};

const char* NameOf(LogLevel level) {
  for (const LogLevelName& entry : kLogLevelNames) {
    if (entry.level == level) return entry.name;
  }
  return "?";  // unreachable: every LogLevel has a name above
}

bool ParseLogLevel(const std::string& name, LogLevel* level) {
  for (const LogLevelName& entry : kLogLevelNames) {
    if (name == entry.name) {
      *level = entry.level;
      return true;
    }
  }
  return false;
}

// Describes every flag; parsing writes straight into *options, except --log-level, whose
// text lands in *log_level_name so that a bad value can get our own error message.
po::options_description Describe(Options* options, std::string* log_level_name) {
  po::options_description description("Options");
  description.add_options()
      ("config", po::value(&options->config_path)
                     ->value_name("FILE")
                     ->default_value(options->config_path),
       "configuration file")
      ("foreground", po::bool_switch(&options->foreground),
       "stay in the foreground and log to stderr (else: detach once running, log to syslog)")
      ("pidfile", po::value(&options->pid_file)
                      ->value_name("FILE")
                      ->default_value(options->pid_file),
       "pid file, locked while yasmind runs (with --foreground: only if given)")
      ("log-level", po::value(log_level_name)
                        ->value_name("LEVEL")
                        ->default_value(NameOf(options->log_level)),
       "error, warn, info or debug")
      ("once", po::bool_switch(&options->once),
       "publish the views to XenStore once, print the domains with their CIDs and exit")
      ("dry-run", po::bool_switch(&options->dry_run),
       "like --once, but print the XenStore operations instead of applying them")
      ("help", po::bool_switch(&options->show_help), "print this help and exit")
      ("version", po::bool_switch(&options->show_version), "print the version and exit");
  return description;
}

}  // namespace

ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]) {
  ParsedCommandLine result;
  std::string log_level_name;
  const po::options_description description = Describe(&result.options, &log_level_name);

  // No abbreviations: "--fore" may work today and become ambiguous when a flag is added,
  // silently breaking the scripts and unit files that use it.
  const int style = po::command_line_style::default_style &
                    ~po::command_line_style::allow_guessing;
  try {
    const po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(description).style(style).run();
    // yasmind takes flags only.  Boost hands back a stray word as an option without a name,
    // which store() would silently drop.
    for (const po::option& option : parsed.options) {
      if (option.string_key.empty()) {
        result.error = "unexpected argument '" + option.original_tokens.front() +
                       "': yasmind takes no arguments";
        return result;
      }
    }
    po::variables_map values;
    po::store(parsed, values);
    po::notify(values);
    result.options.config_given = values.count("config") != 0 && !values["config"].defaulted();
    result.options.pid_file_given =
        values.count("pidfile") != 0 && !values["pidfile"].defaulted();
  } catch (const po::error& e) {
    result.error = e.what();
    return result;
  }

  if (result.options.pid_file.empty()) {
    result.error = "--pidfile needs a file name";
    return result;
  }
  if (!ParseLogLevel(log_level_name, &result.options.log_level)) {
    result.error = "invalid --log-level '" + log_level_name +
                   "': expected error, warn, info or debug";
  }
  return result;
}

std::string UsageText() {
  Options defaults;
  std::string unused_log_level_name;
  std::ostringstream text;
  text << "Usage: yasmind [OPTIONS]\n"
       << "The yasmin dom0 daemon: prepares XenStore so that co-located guests can reach\n"
       << "each other over AF_VSOCK.\n\n"
       << Describe(&defaults, &unused_log_level_name);
  return text.str();
}

}  // namespace yasmin
