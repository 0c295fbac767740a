// When yasmind's loop makes its passes (dom0-backend/pass_scheduler.h): coalescing, back-off
// after failures, periodic resync.  Time is simulated.

#include "pass_scheduler.h"

#include "gtest/gtest.h"

namespace yasmin {
namespace {

using std::chrono::milliseconds;

class PassSchedulerTest : public ::testing::Test {
 protected:
  PassSchedulerTest() : scheduler_(Settings(), start_) {}

  static PassScheduler::Settings Settings() {
    PassScheduler::Settings settings;
    settings.coalesce = milliseconds(50);
    settings.first_retry = milliseconds(250);
    settings.max_retry = milliseconds(2000);
    settings.resync = milliseconds(60000);
    return settings;
  }

  PassScheduler::Clock::time_point At(int ms) const { return start_ + milliseconds(ms); }

  const PassScheduler::Clock::time_point start_ = PassScheduler::Clock::now();
  PassScheduler scheduler_;
};

TEST_F(PassSchedulerTest, FirstPassIsDueAtOnce) {
  EXPECT_TRUE(scheduler_.Due(At(0)));
  EXPECT_EQ(milliseconds(0), scheduler_.TimeUntilDue(At(0)));
}

TEST_F(PassSchedulerTest, AfterASuccessTheNextPassIsTheResync) {
  scheduler_.OnPassDone(true, At(10));
  EXPECT_FALSE(scheduler_.Due(At(59000)));
  EXPECT_EQ(milliseconds(60010 - 59000), scheduler_.TimeUntilDue(At(59000)));
  EXPECT_TRUE(scheduler_.Due(At(60010)));
}

TEST_F(PassSchedulerTest, ABurstOfEventsGivesOnePassAfterTheCoalescingDelay) {
  scheduler_.OnPassDone(true, At(0));
  scheduler_.OnEvent(At(1000));
  scheduler_.OnEvent(At(1020));
  scheduler_.OnEvent(At(1040));
  // Counted from the first event of the burst: later events do not push it back.
  EXPECT_FALSE(scheduler_.Due(At(1049)));
  EXPECT_TRUE(scheduler_.Due(At(1050)));
  scheduler_.OnPassDone(true, At(1060));
  EXPECT_FALSE(scheduler_.Due(At(1200)));
}

TEST_F(PassSchedulerTest, FailuresBackOffExponentiallyUpToTheMaximum) {
  int now = 0;
  const int expected_delays[] = {250, 500, 1000, 2000, 2000, 2000};
  for (int delay : expected_delays) {
    scheduler_.OnPassDone(false, At(now));
    EXPECT_FALSE(scheduler_.Due(At(now + delay - 1))) << "delay " << delay;
    EXPECT_TRUE(scheduler_.Due(At(now + delay))) << "delay " << delay;
    now += delay;
  }
  EXPECT_EQ(6, scheduler_.failures_in_a_row());
}

TEST_F(PassSchedulerTest, EventsDoNotHurryARetry) {
  scheduler_.OnPassDone(false, At(0));
  scheduler_.OnEvent(At(10));
  EXPECT_FALSE(scheduler_.Due(At(100)));
  EXPECT_TRUE(scheduler_.Due(At(250)));
}

TEST_F(PassSchedulerTest, ASuccessEndsTheBackOff) {
  scheduler_.OnPassDone(false, At(0));
  scheduler_.OnPassDone(false, At(250));
  scheduler_.OnPassDone(true, At(750));
  EXPECT_EQ(0, scheduler_.failures_in_a_row());
  scheduler_.OnEvent(At(800));
  EXPECT_TRUE(scheduler_.Due(At(850)));
  scheduler_.OnPassDone(false, At(850));
  EXPECT_TRUE(scheduler_.Due(At(1100)));  // the first retry delay again
}

TEST_F(PassSchedulerTest, TimeUntilDueRoundsUp) {
  scheduler_.OnPassDone(true, At(0));
  const auto almost = At(60000) - std::chrono::microseconds(1);
  EXPECT_EQ(milliseconds(1), scheduler_.TimeUntilDue(almost));
}

}  // namespace
}  // namespace yasmin
