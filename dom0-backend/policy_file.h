// Loads the policy (policy.h) from yasmind's configuration file.

#ifndef YASMIN_DOM0_BACKEND_POLICY_FILE_H_
#define YASMIN_DOM0_BACKEND_POLICY_FILE_H_

#include <string>

#include "policy.h"

namespace yasmin {

// Parses the file at path into *policy.  A file that does not exist gives the default policy
// (Policy()) unless required: yasmind runs without a configuration file out of the box, but a
// file named on the command line that is not there is a mistake, not a request for the open
// default.  Returns false and sets *error, one "PATH:LINE: message" line per bad line, when
// the file cannot be read or has bad lines; *policy is then left alone.
bool LoadPolicyFile(const std::string& path, bool required, Policy* policy, std::string* error);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_POLICY_FILE_H_
