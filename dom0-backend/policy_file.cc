#include "policy_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace yasmin {
namespace {

std::string CannotRead(const std::string& path, int error_number) {
  return "cannot read the configuration file " + path + ": " + std::strerror(error_number);
}

}  // namespace

bool LoadPolicyFile(const std::string& path, bool required, Policy* policy,
                    std::string* error) {
  const std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "r"),
                                                                &std::fclose);
  if (file == nullptr) {
    if (errno == ENOENT && !required) {
      *policy = Policy();
      return true;
    }
    *error = CannotRead(path, errno);
    return false;
  }

  std::string text;
  char buffer[4096];
  size_t count;
  while ((count = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) {
    text.append(buffer, count);
  }
  // fopen() opens a directory; reading it is what fails (EISDIR).
  if (std::ferror(file.get())) {
    *error = CannotRead(path, errno);
    return false;
  }

  ParsedPolicy parsed = ParsePolicy(text);
  if (!parsed.ok()) {
    *error = parsed.ErrorText(path);
    if (!error->empty() && error->back() == '\n') error->pop_back();
    return false;
  }
  *policy = parsed.policy;
  return true;
}

}  // namespace yasmin
