#include "srtp/session.h"

#include <string>

#include "srtp/engine.h"

namespace rtcstack::srtp {

std::size_t key_size(Profile profile) { return profile == Profile::kAeadAes256Gcm ? 32 : 16; }

std::size_t salt_size(Profile profile) {
  return profile == Profile::kAeadAes128Gcm || profile == Profile::kAeadAes256Gcm ? 12 : 14;
}

base::Result<Session> Session::create(Profile profile, Direction direction, base::ByteView key, base::ByteView salt,
                                      std::size_t replay_window, EngineFactory factory) {
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
  auto engine = (factory != nullptr ? factory : &make_native_engine)(profile, direction, key, salt, replay_window);
  if (!engine) return engine.error();
  return Session(std::move(*engine), profile, direction);
}

Session::Session(std::unique_ptr<Engine> engine, Profile profile, Direction direction)
    : engine_(std::move(engine)), profile_(profile), direction_(direction) {}
Session::Session(Session&& other) noexcept = default;
Session& Session::operator=(Session&& other) noexcept = default;
Session::~Session() = default;

base::Result<void> Session::check(base::MutableByteView buffer, std::size_t length, bool rtcp, bool protect) const {
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
  return {};
}

base::Result<std::size_t> Session::protect_rtp(base::MutableByteView buffer, std::size_t length) {
  if (auto ok = check(buffer, length, false, true); !ok) return ok.error();
  return engine_->protect_rtp(buffer, length);
}
base::Result<std::size_t> Session::protect_rtcp(base::MutableByteView buffer, std::size_t length) {
  if (auto ok = check(buffer, length, true, true); !ok) return ok.error();
  return engine_->protect_rtcp(buffer, length);
}
base::Result<std::size_t> Session::unprotect_rtp(base::MutableByteView packet) {
  if (auto ok = check(packet, packet.size(), false, false); !ok) return ok.error();
  return engine_->unprotect_rtp(packet);
}
base::Result<std::size_t> Session::unprotect_rtcp(base::MutableByteView packet) {
  if (auto ok = check(packet, packet.size(), true, false); !ok) return ok.error();
  return engine_->unprotect_rtcp(packet);
}

}  // namespace rtcstack::srtp
