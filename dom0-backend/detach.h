// Turning yasmind into a background daemon the way an init script expects: the command
// returns only once the daemon is up, and its exit status says whether it came up.  The
// parent forks and waits on a pipe; the child starts its own session, gets ready (opens libxl
// and XenStore, makes its first pass) and then reports success, or an error that the parent
// prints and exits 1 with.  Forking happens before libxl or XenStore are opened: their
// handles and threads are not meant to cross a fork().

#ifndef YASMIN_DOM0_BACKEND_DETACH_H_
#define YASMIN_DOM0_BACKEND_DETACH_H_

#include <string>

namespace yasmin {

class Detacher {
 public:
  // Forks.  Returns in the child only (a new session, working directory /); the parent waits
  // for ReportReady() or ReportFailure() and exits.  False and *error when fork() fails, in
  // the original process.
  bool Detach(std::string* error);

  // In the child: startup succeeded.  Also points stdin, stdout and stderr at /dev/null, so
  // that nothing holds the init script's terminal or pipes.
  void ReportReady();

  // In the child: startup failed with message; the parent prints it and exits 1.  The child
  // should exit too.
  void ReportFailure(const std::string& message);

 private:
  int report_fd_ = -1;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_DETACH_H_
