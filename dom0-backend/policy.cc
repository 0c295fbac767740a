#include "policy.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace yasmin {
namespace {

std::string ToLower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Splits a line into words at spaces and tabs, dropping the comment.
std::vector<std::string> Words(const std::string& line) {
  std::istringstream stream(line.substr(0, line.find('#')));
  std::vector<std::string> words;
  std::string word;
  while (stream >> word) words.push_back(word);
  return words;
}

bool IsGroupName(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

// 8-4-4-4-12 hexadecimal digits, as libxl prints a UUID.
bool IsUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); i++) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

bool PolicyMember::Matches(const DomainInfo& info) const {
  const std::string& name = info.domain.name;
  switch (kind) {
    case Kind::kName:
      // A domain without a name matches no pattern, not even "*": it cannot be told apart.
      return !name.empty() && fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
    case Kind::kUuid:
      return ToLower(info.uuid) == pattern;
    case Kind::kLabel:
      return std::find(info.labels.begin(), info.labels.end(), pattern) != info.labels.end();
  }
  return false;  // unreachable: every Kind is handled above
}

bool Policy::Group::Contains(const DomainInfo& info) const {
  for (const PolicyMember& member : members) {
    if (member.Matches(info)) return true;
  }
  return false;
}

bool Policy::MayReach(const DomainInfo& a, const DomainInfo& b) const {
  if (a.domain.domid == b.domain.domid) return false;
  if (allow_all_) return true;
  for (const auto& [first, second] : allowed_) {
    const Group& x = groups_[first];
    const Group& y = groups_[second];
    if ((x.Contains(a) && y.Contains(b)) || (x.Contains(b) && y.Contains(a))) return true;
  }
  return false;
}

bool Policy::MayAnnounceAddresses(const DomainInfo& info) const {
  for (size_t group : announcing_) {
    if (groups_[group].Contains(info)) return true;
  }
  return false;
}

std::string ParsedPolicy::ErrorText(const std::string& source) const {
  std::string text;
  for (const PolicyError& error : errors) {
    text += source + ":" + std::to_string(error.line) + ": " + error.message + "\n";
  }
  return text;
}

// Builds a Policy line by line.  A friend of Policy, so that Policy itself stays immutable.
class PolicyParser {
 public:
  ParsedPolicy Parse(const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    for (int number = 1; std::getline(lines, line); number++) {
      const std::string error = ParseLine(Words(line));
      if (!error.empty()) result_.errors.push_back({number, error});
    }
    // No default line: open until the configuration says who may reach whom.
    result_.policy.allow_all_ = has_default_ ? default_all_ : !saw_allow_;
    return std::move(result_);
  }

 private:
  // Returns why the line is rejected, or an empty string.
  std::string ParseLine(const std::vector<std::string>& words) {
    if (words.empty()) return "";
    const std::string& keyword = words[0];
    if (keyword == "group") return ParseGroup(words);
    if (keyword == "allow") {
      saw_allow_ = true;
      return ParseAllow(words);
    }
    if (keyword == "default") return ParseDefault(words);
    if (keyword == "guest-addresses") return ParseGuestAddresses(words);
    return "unknown keyword '" + keyword +
           "': expected group, allow, default or guest-addresses";
  }

  std::string ParseGroup(const std::vector<std::string>& words) {
    if (words.size() < 3) return "'group' needs a name and at least one member";
    const std::string& name = words[1];
    if (!IsGroupName(name)) {
      return "invalid group name '" + name + "': use letters, digits, '-' and '_'";
    }
    if (FindGroup(name) != kNoGroup) return "group '" + name + "' is already defined";
    Policy::Group group{name, {}};
    for (size_t i = 2; i < words.size(); i++) {
      PolicyMember member;
      const std::string error = ParseMember(words[i], &member);
      if (!error.empty()) return error;
      group.members.push_back(member);
    }
    result_.policy.groups_.push_back(group);
    return "";
  }

  static std::string ParseMember(const std::string& word, PolicyMember* member) {
    const size_t colon = word.find(':');
    const std::string kind = word.substr(0, colon);
    const std::string value = colon == std::string::npos ? "" : word.substr(colon + 1);
    if (colon == std::string::npos || (kind != "name" && kind != "uuid" && kind != "label")) {
      return "invalid member '" + word + "': expected name:GLOB, uuid:UUID or label:VALUE";
    }
    if (value.empty()) return "invalid member '" + word + "': empty " + kind;
    if (kind == "name") {
      *member = {PolicyMember::Kind::kName, value};
    } else if (kind == "uuid") {
      if (!IsUuid(value)) return "invalid UUID '" + value + "'";
      *member = {PolicyMember::Kind::kUuid, ToLower(value)};
    } else {
      *member = {PolicyMember::Kind::kLabel, value};
    }
    return "";
  }

  std::string ParseAllow(const std::vector<std::string>& words) {
    if (words.size() != 3) return "'allow' needs exactly two group names";
    const size_t first = FindGroup(words[1]);
    if (first == kNoGroup) return "unknown group '" + words[1] + "'";
    const size_t second = FindGroup(words[2]);
    if (second == kNoGroup) return "unknown group '" + words[2] + "'";
    result_.policy.allowed_.emplace_back(first, second);
    return "";
  }

  std::string ParseDefault(const std::vector<std::string>& words) {
    if (words.size() != 2 || (words[1] != "all" && words[1] != "none")) {
      return "'default' needs exactly one of all or none";
    }
    if (has_default_) return "'default' is given more than once";
    has_default_ = true;
    default_all_ = words[1] == "all";
    return "";
  }

  std::string ParseGuestAddresses(const std::vector<std::string>& words) {
    if (words.size() < 2) return "'guest-addresses' needs at least one group name";
    std::vector<size_t> groups;
    for (size_t i = 1; i < words.size(); i++) {
      const size_t group = FindGroup(words[i]);
      if (group == kNoGroup) return "unknown group '" + words[i] + "'";
      groups.push_back(group);
    }
    // All or nothing, like every other line.
    std::vector<size_t>& announcing = result_.policy.announcing_;
    announcing.insert(announcing.end(), groups.begin(), groups.end());
    return "";
  }

  static constexpr size_t kNoGroup = static_cast<size_t>(-1);

  size_t FindGroup(const std::string& name) const {
    const std::vector<Policy::Group>& groups = result_.policy.groups_;
    for (size_t i = 0; i < groups.size(); i++) {
      if (groups[i].name == name) return i;
    }
    return kNoGroup;
  }

  ParsedPolicy result_;
  bool saw_allow_ = false;  // even a rejected one: the author meant to restrict
  bool has_default_ = false;
  bool default_all_ = false;
};

ParsedPolicy ParsePolicy(const std::string& text) { return PolicyParser().Parse(text); }

}  // namespace yasmin
