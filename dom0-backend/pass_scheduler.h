// When yasmind's daemon loop makes its next pass.  A pass is cheap but not free (libxl reads
// every domain's configuration), and events come in bursts: one `xl create` fires a dozen
// watches.  So events are coalesced for a short delay; a failed pass (xenstored slow or
// restarting, libxl busy) is retried with a growing back-off; and a periodic pass catches
// whatever a lost event would have missed.  Pure: time is passed in, so the unit tests drive
// it without sleeping.

#ifndef YASMIN_DOM0_BACKEND_PASS_SCHEDULER_H_
#define YASMIN_DOM0_BACKEND_PASS_SCHEDULER_H_

#include <chrono>

namespace yasmin {

class PassScheduler {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = std::chrono::milliseconds;

  struct Settings {
    Duration coalesce{50};        // from the first event of a burst to the pass
    Duration first_retry{250};    // after a failed pass; doubles on each failure in a row
    Duration max_retry{30000};
    Duration resync{60000};       // after a successful pass with no event since
  };

  PassScheduler(const Settings& settings, Clock::time_point now);

  // Something changed at now: a pass is due within the coalescing delay, unless one is due
  // sooner already.  A pending retry is not delayed further, nor brought forward: the event
  // will be seen by that pass, and a failing XenStore is not hammered by every watch.
  void OnEvent(Clock::time_point now);

  // Whether a pass is due at now.
  bool Due(Clock::time_point now) const { return now >= next_pass_; }

  // How long until the next pass is due (zero when it is due already).
  Duration TimeUntilDue(Clock::time_point now) const;

  // The pass that started when Due() said so has ended, at now.
  void OnPassDone(bool succeeded, Clock::time_point now);

  int failures_in_a_row() const { return failures_in_a_row_; }
  const Settings& settings() const { return settings_; }

 private:
  const Settings settings_;
  Clock::time_point next_pass_;
  bool retrying_ = false;
  int failures_in_a_row_ = 0;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_PASS_SCHEDULER_H_
