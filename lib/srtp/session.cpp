#include "srtp/session.h"

#include <srtp2/srtp.h>

#include <cstring>
#include <string>

namespace rtcstack::srtp {

namespace {

// libsrtp's global state: initialised once per process, before the first session.
bool library_ready() {
  static const bool ready = srtp_init() == srtp_err_status_ok;
  return ready;
}

void set_policy(Profile profile, srtp_crypto_policy_t& rtp, srtp_crypto_policy_t& rtcp) {
  switch (profile) {
    case Profile::kAes128CmSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtcp);
      break;
    case Profile::kAes128CmSha1_32:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtcp);  // RFC 5764 §4.1.2: RTCP keeps 80 bits
      break;
    case Profile::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtcp);
      break;
    case Profile::kAeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtcp);
      break;
  }
}

base::Error srtp_error(srtp_err_status_t status, bool protect, bool rtcp) {
  const std::string what = std::string(protect ? "protect" : "unprotect") + (rtcp ? " RTCP" : " RTP");
  switch (status) {
    case srtp_err_status_auth_fail:
      return base::make_error(base::ErrorCode::kAuthentication, "SRTP " + what + ": authentication tag mismatch");
    case srtp_err_status_replay_fail:
      return base::make_error(base::ErrorCode::kWrongState, "SRTP " + what + ": replay of a packet already seen");
    case srtp_err_status_replay_old:
      return base::make_error(base::ErrorCode::kWrongState, "SRTP " + what + ": replay window passed (packet too old)");
    case srtp_err_status_bad_param:
      return base::make_error(base::ErrorCode::kMalformed, "SRTP " + what + ": packet too short or malformed");
    default:
      return base::make_error(base::ErrorCode::kInternal, "SRTP " + what + ": libsrtp error " + std::to_string(status));
  }
}

}  // namespace

std::size_t key_size(Profile profile) { return profile == Profile::kAeadAes256Gcm ? 32 : 16; }

std::size_t salt_size(Profile profile) {
  return profile == Profile::kAeadAes128Gcm || profile == Profile::kAeadAes256Gcm ? 12 : 14;
}

base::Result<Session> Session::create(Profile profile, Direction direction, base::ByteView key, base::ByteView salt,
                                      std::size_t replay_window) {
  if (key.size() != key_size(profile) || salt.size() != salt_size(profile)) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "SRTP: profile needs a " + std::to_string(key_size(profile)) + "-byte key and a " +
                                std::to_string(salt_size(profile)) + "-byte salt, got " + std::to_string(key.size()) +
                                " and " + std::to_string(salt.size()));
  }
  if (replay_window < 64 || replay_window > 0x7fff) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "SRTP: the replay window must be 64 to 32767 packets, not " + std::to_string(replay_window));
  }
  if (!library_ready()) return base::make_error(base::ErrorCode::kInternal, "SRTP: srtp_init failed");
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  set_policy(profile, policy.rtp, policy.rtcp);
  policy.ssrc.type = direction == Direction::kSend ? ssrc_any_outbound : ssrc_any_inbound;
  // libsrtp wants the master key followed by the master salt in one buffer.
  unsigned char master[32 + 14];
  std::memcpy(master, key.data(), key.size());
  std::memcpy(master + key.size(), salt.data(), salt.size());
  policy.key = master;
  policy.window_size = replay_window;
  // Retransmissions without RTX resend the same sequence number; the sender must allow it.
  policy.allow_repeat_tx = direction == Direction::kSend ? 1 : 0;
  policy.next = nullptr;
  srtp_t context = nullptr;
  const srtp_err_status_t status = srtp_create(&context, &policy);
  std::memset(master, 0, sizeof master);
  if (status != srtp_err_status_ok) {
    return base::make_error(base::ErrorCode::kInvalidArgument, "SRTP: srtp_create failed with " + std::to_string(status));
  }
  return Session(context, profile, direction);
}

Session::Session(Session&& other) noexcept
    : context_(other.context_), profile_(other.profile_), direction_(other.direction_) {
  other.context_ = nullptr;
}

Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    if (context_ != nullptr) srtp_dealloc(static_cast<srtp_t>(context_));
    context_ = other.context_;
    profile_ = other.profile_;
    direction_ = other.direction_;
    other.context_ = nullptr;
  }
  return *this;
}

Session::~Session() {
  if (context_ != nullptr) srtp_dealloc(static_cast<srtp_t>(context_));
}

base::Result<std::size_t> Session::apply(base::MutableByteView buffer, std::size_t length, bool rtcp, bool protect) {
  if ((direction_ == Direction::kSend) != protect) {
    return base::make_error(base::ErrorCode::kWrongState,
                            protect ? "SRTP: this session receives; it cannot protect"
                                    : "SRTP: this session sends; it cannot unprotect");
  }
  if (length > buffer.size() || (protect && buffer.size() - length < kMaxOverhead)) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "SRTP: the buffer needs " + std::to_string(kMaxOverhead) + " spare bytes after the packet");
  }
  if (length < (rtcp ? 8u : 12u) || length > 0x7fffffff - kMaxOverhead) {
    return base::make_error(base::ErrorCode::kMalformed,
                            "SRTP: " + std::to_string(length) + " bytes are too few for " + (rtcp ? "RTCP" : "RTP"));
  }
  auto* context = static_cast<srtp_t>(context_);
  int size = static_cast<int>(length);
  srtp_err_status_t status;
  if (protect) {
    status = rtcp ? srtp_protect_rtcp(context, buffer.data(), &size) : srtp_protect(context, buffer.data(), &size);
  } else {
    status = rtcp ? srtp_unprotect_rtcp(context, buffer.data(), &size) : srtp_unprotect(context, buffer.data(), &size);
  }
  if (status != srtp_err_status_ok) return srtp_error(status, protect, rtcp);
  return static_cast<std::size_t>(size);
}

base::Result<std::size_t> Session::protect_rtp(base::MutableByteView buffer, std::size_t length) {
  return apply(buffer, length, false, true);
}
base::Result<std::size_t> Session::protect_rtcp(base::MutableByteView buffer, std::size_t length) {
  return apply(buffer, length, true, true);
}
base::Result<std::size_t> Session::unprotect_rtp(base::MutableByteView packet) {
  return apply(packet, packet.size(), false, false);
}
base::Result<std::size_t> Session::unprotect_rtcp(base::MutableByteView packet) {
  return apply(packet, packet.size(), true, false);
}

}  // namespace rtcstack::srtp
