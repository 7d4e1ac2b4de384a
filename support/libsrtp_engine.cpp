// The libsrtp2 engine (libsrtp_engine.h).
#include "libsrtp_engine.h"

#include <srtp2/srtp.h>

#include <cstring>
#include <string>

namespace rtcstack::support {
namespace {

using srtp::Direction;
using srtp::Engine;
using srtp::Profile;


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

class LibsrtpEngine final : public Engine {
 public:
  explicit LibsrtpEngine(srtp_t context) : context_(context) {}
  ~LibsrtpEngine() override { srtp_dealloc(context_); }
  LibsrtpEngine(const LibsrtpEngine&) = delete;
  LibsrtpEngine& operator=(const LibsrtpEngine&) = delete;

  base::Result<std::size_t> protect_rtp(base::MutableByteView buffer, std::size_t length) override {
    int size = static_cast<int>(length);
    const srtp_err_status_t status = srtp_protect(context_, buffer.data(), &size);
    return finish(status, size, true, false);
  }
  base::Result<std::size_t> protect_rtcp(base::MutableByteView buffer, std::size_t length) override {
    int size = static_cast<int>(length);
    const srtp_err_status_t status = srtp_protect_rtcp(context_, buffer.data(), &size);
    return finish(status, size, true, true);
  }
  base::Result<std::size_t> unprotect_rtp(base::MutableByteView packet) override {
    int size = static_cast<int>(packet.size());
    const srtp_err_status_t status = srtp_unprotect(context_, packet.data(), &size);
    return finish(status, size, false, false);
  }
  base::Result<std::size_t> unprotect_rtcp(base::MutableByteView packet) override {
    int size = static_cast<int>(packet.size());
    const srtp_err_status_t status = srtp_unprotect_rtcp(context_, packet.data(), &size);
    return finish(status, size, false, true);
  }

 private:
  static base::Result<std::size_t> finish(srtp_err_status_t status, int size, bool protect, bool rtcp) {
    if (status != srtp_err_status_ok) return srtp_error(status, protect, rtcp);
    return static_cast<std::size_t>(size);
  }

  srtp_t context_;
};

}  // namespace

base::Result<std::unique_ptr<Engine>> make_libsrtp_engine(Profile profile, Direction direction, base::ByteView key,
                                                          base::ByteView salt, std::size_t replay_window) {
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
  return std::unique_ptr<Engine>(std::make_unique<LibsrtpEngine>(context));
}

}  // namespace rtcstack::support
