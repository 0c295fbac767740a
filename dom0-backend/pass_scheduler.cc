#include "pass_scheduler.h"

#include <algorithm>

namespace yasmin {

// The first pass is due at once: yasmind has just started and knows nothing.
PassScheduler::PassScheduler(const Settings& settings, Clock::time_point now)
    : settings_(settings), next_pass_(now) {}

void PassScheduler::OnEvent(Clock::time_point now) {
  if (retrying_) return;
  next_pass_ = std::min(next_pass_, now + settings_.coalesce);
}

PassScheduler::Duration PassScheduler::TimeUntilDue(Clock::time_point now) const {
  if (now >= next_pass_) return Duration::zero();
  // Rounded up, so that a poll() with this timeout does not wake just before the deadline.
  return std::chrono::ceil<Duration>(next_pass_ - now);
}

void PassScheduler::OnPassDone(bool succeeded, Clock::time_point now) {
  if (succeeded) {
    failures_in_a_row_ = 0;
    retrying_ = false;
    next_pass_ = now + settings_.resync;
    return;
  }
  failures_in_a_row_++;
  retrying_ = true;
  Duration delay = settings_.first_retry;
  for (int i = 1; i < failures_in_a_row_ && delay < settings_.max_retry; i++) delay *= 2;
  next_pass_ = now + std::min(delay, settings_.max_retry);
}

}  // namespace yasmin
