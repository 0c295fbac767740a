// Control-message validation (guest-kmod/ctrl_msg.c): what a peer may send and what it may not.
#include <gtest/gtest.h>

extern "C" {
#include "ctrl_msg.h"
}

namespace {

yasmin_ctrl_msg Msg(uint16_t type) {
  yasmin_ctrl_msg msg{};
  msg.type = type;
  msg.src_port = 1234;
  msg.dst_port = 80;
  return msg;
}

TEST(CtrlMsg, RequestAndAcceptNeedADoorbellSlot) {
  for (uint16_t type : {YASMIN_CTRL_REQUEST, YASMIN_CTRL_ACCEPT}) {
    yasmin_ctrl_msg msg = Msg(type);
    msg.ring_ref = 42;
    EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg)) << "no slot, type " << type;
    msg.doorbell = 7;
    EXPECT_TRUE(yasmin_ctrl_msg_well_formed(&msg)) << type;
    msg.doorbell = YASMIN_DOORBELL_SLOTS - 1;
    EXPECT_TRUE(yasmin_ctrl_msg_well_formed(&msg)) << type;
    msg.doorbell = YASMIN_DOORBELL_SLOTS;
    EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg)) << "slot past the page, type " << type;
    msg.doorbell = YASMIN_DOORBELL_CONTROL;
    EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg)) << "the control slot, type " << type;
    msg.doorbell = 7;
    msg.flags = 2;
    EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg)) << type;
  }
}

TEST(CtrlMsg, OnlyRequestCarriesTheSocketType) {
  yasmin_ctrl_msg msg = Msg(YASMIN_CTRL_REQUEST);
  msg.ring_ref = 42;
  msg.doorbell = 7;
  msg.flags = YASMIN_REQUEST_SEQPACKET;
  EXPECT_TRUE(yasmin_ctrl_msg_well_formed(&msg));
  msg.flags = YASMIN_REQUEST_SEQPACKET | 2;
  EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg));
  msg.type = YASMIN_CTRL_ACCEPT;
  msg.flags = YASMIN_REQUEST_SEQPACKET;
  EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg)) << "ACCEPT has no flags";
}

TEST(CtrlMsg, ResetCarriesOnlyTheNoBuffersFlag) {
  yasmin_ctrl_msg msg = Msg(YASMIN_CTRL_RESET);
  EXPECT_TRUE(yasmin_ctrl_msg_well_formed(&msg));
  msg.flags = YASMIN_RESET_NO_BUFFERS;
  EXPECT_TRUE(yasmin_ctrl_msg_well_formed(&msg));
  msg.flags = 2;
  EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg));
  msg.flags = 0;
  msg.ring_ref = 1;
  EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg));
  msg.ring_ref = 0;
  msg.doorbell = 1;
  EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg));
}

TEST(CtrlMsg, ShutdownFlagsAreTheTwoDirectionsOnly) {
  yasmin_ctrl_msg msg = Msg(YASMIN_CTRL_SHUTDOWN);
  for (uint16_t flags = 0; flags <= YASMIN_SHUTDOWN_MASK; flags++) {
    msg.flags = flags;
    EXPECT_TRUE(yasmin_ctrl_msg_well_formed(&msg)) << flags;
  }
  msg.flags = 4;
  EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg));
}

TEST(CtrlMsg, UnknownTypesAndReservedFieldsAreRejected) {
  for (uint16_t type : {0, 5, 0xffff}) {
    const yasmin_ctrl_msg msg = Msg(type);
    EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg)) << type;
  }
  yasmin_ctrl_msg msg = Msg(YASMIN_CTRL_RESET);
  msg.reserved[2] = 1;
  EXPECT_FALSE(yasmin_ctrl_msg_well_formed(&msg));
}

}  // namespace
