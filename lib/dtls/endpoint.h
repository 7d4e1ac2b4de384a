// A sans-IO DTLS 1.2 endpoint (RFC 6347, RFC 5763/5764): datagrams and time go in,
// datagrams, events and a timeout come out. OpenSSL does the handshake and only ever sees
// a BIO that queues datagrams. One thing it keeps to itself is the retransmission timer,
// which runs on OpenSSL's clock (gettimeofday): poll_output()'s timeout is that timer
// mapped onto the caller's time, and handle_timeout() lets OpenSSL retransmit when it is due.
//
// Once the handshake is over the SSL is freed (with the 40 KB of buffers OpenSSL would keep
// for the life of the session) and records are sealed and opened by dtls/record_layer.h
// with the keys the handshake agreed. A server keeps its last flight until the client's
// first application data shows the client has it, and sends it again if the client
// retransmits its own last flight (RFC 6347 §4.2.4).
//
// The peer is authenticated by the fingerprint from the remote SDP, nothing else: until
// the handshake is done *and* the expected fingerprint is known and matches, the endpoint
// releases neither keys nor application data.
#pragma once


#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/transport_state.h"
#include "base/buffer_pool.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/ring_queue.h"
#include "base/time.h"
#include "dtls/certificate.h"
#include "dtls/record_layer.h"

// OpenSSL's struct tags (SSL, X509), declared so that OpenSSL's headers stay out of ours.
struct ssl_st;
struct x509_st;

namespace rtcstack::dtls {

enum class Role : std::uint8_t { kClient, kServer };
using State = base::TransportState;
using base::to_string;

/// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2), by their IANA values.
enum class SrtpProfile : std::uint16_t {
  kAes128CmSha1_80 = 0x0001,
  kAes128CmSha1_32 = 0x0002,
  kAeadAes128Gcm = 0x0007,
  kAeadAes256Gcm = 0x0008,
};
std::string_view to_string(SrtpProfile profile);
/// Master key and salt sizes of a profile, in bytes.
std::size_t srtp_key_size(SrtpProfile profile);
std::size_t srtp_salt_size(SrtpProfile profile);

struct Config {
  Role role = Role::kClient;
  std::shared_ptr<const Certificate> certificate;
  /// The peer's a=fingerprint; may also come later through set_remote_fingerprint().
  std::optional<Fingerprint> remote_fingerprint;
  /// Largest datagram produced; handshake messages are fragmented to fit.
  std::size_t mtu = 1200;
  /// Offered (client) or accepted (server) in this order of preference.
  std::vector<SrtpProfile> srtp_profiles = {SrtpProfile::kAeadAes256Gcm, SrtpProfile::kAeadAes128Gcm,
                                            SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAes128CmSha1_32};
};

struct StateEvent {
  State state;
  std::string reason;  ///< why it failed or closed; empty otherwise
  /// kFailed because the peer's certificate is missing or does not match the fingerprint.
  bool certificate_rejected = false;
};
/// DTLS-SRTP keying material (RFC 5764 §4.2), split by role.
struct SrtpKeysEvent {
  SrtpProfile profile;
  base::Buffer local_key, local_salt, remote_key, remote_salt;
};
struct ApplicationDataEvent {
  base::Buffer data;
};
using Event = std::variant<StateEvent, SrtpKeysEvent, ApplicationDataEvent>;

struct Datagram {
  base::Buffer bytes;
};
/// Why the endpoint wants to wake up (for traces).
enum class TimerReason : std::uint8_t {
  kNone,            ///< nothing is due
  kRetransmission,  ///< the handshake flight in the air is due again (RFC 6347 §4.2.4)
};
std::string_view to_string(TimerReason reason);
struct Timeout {
  base::Instant at;
  TimerReason reason = TimerReason::kNone;
};
using Output = std::variant<Datagram, Event, Timeout>;

class Endpoint {
 public:
  /// `pool`: where the buffers of Datagrams and ApplicationDataEvents come from (it must
  /// outlive the endpoint): a caller that gives them back there, and sends datagrams
  /// from the same pool, stops allocating per record. None: a pool of its own.
  explicit Endpoint(Config config, base::BufferPool* pool = nullptr);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  /// Begins the handshake (the client sends its ClientHello; the server waits).
  void start(base::Instant now);
  /// The fingerprint from the remote SDP, if it arrived after start().
  void set_remote_fingerprint(base::Instant now, Fingerprint fingerprint);
  void handle_receive(base::Instant now, base::ByteView datagram);
  void handle_timeout(base::Instant now);
  Output poll_output();

  /// Sends application data (SCTP packets). kWrongState before kConnected.
  base::Result<void> send(base::ByteView data);
  /// Sends close_notify; state kClosed.
  void close();

  /// Where the endpoint takes its output buffers from: give them back when done.
  base::BufferPool& buffer_pool() { return *pool_; }

  State state() const { return state_; }
  /// Datagrams dropped, in whole or in part: empty, not whole DTLS records of a known type,
  /// beyond what is held while the remote fingerprint is awaited, or once the session is
  /// established, holding a record that does not authenticate, is replayed or is unexpected.
  std::uint64_t dropped() const { return dropped_; }
  std::optional<SrtpProfile> srtp_profile() const { return profile_; }

 private:
  friend struct BioAccess;
  void pump(base::Instant now);
  void take_over(base::ByteView completing);
  void after_handshake(base::Instant now);
  void receive_records(base::Instant now, base::ByteView datagram);
  bool receive_record(base::Instant now, const RecordHeader& header, base::ByteView record, bool& resent);
  void resend_last_flight(base::Instant now);
  void seal_and_queue(ContentType type, base::ByteView payload);
  void fail(std::string reason, bool certificate_rejected = false);
  /// Fails for the peer's certificate, telling the peer with a fatal alert.
  void refuse_certificate(std::string reason);
  void set_state(State state, std::string reason = {});
  void update_timer(base::Instant now);

  Config config_;
  ssl_st* ssl_ = nullptr;
  State state_ = State::kNew;
  bool handshake_done_ = false;
  std::optional<SrtpProfile> profile_;
  base::ByteView current_;          // the datagram handle_receive() is feeding OpenSSL
  base::ByteView receiving_;        // the same, kept for the whole handle_receive() call
  std::optional<RecordLayer> records_;  // once the handshake is over
  x509_st* peer_ = nullptr;                // the peer's certificate, until the fingerprint matched
  std::optional<SrtpKeysEvent> srtp_keys_;  // exported at the handshake, released once it matched
  std::uint64_t next_write_sequence_ = 0;   // of epoch 1, after what OpenSSL sent
  bool capturing_ = false;              // the datagrams OpenSSL writes now may be its last flight
  std::vector<base::Buffer> flight_;    // what it wrote in this handshake step
  std::vector<base::Buffer> last_flight_;  // a server's, kept until the client proves it has it
  std::optional<base::Instant> last_resend_;
  std::deque<base::Buffer> inbox_;  // held while the remote fingerprint is awaited
  base::RingQueue<Output> outputs_;
  std::uint64_t dropped_ = 0;
  base::BufferPool own_pool_;
  base::BufferPool* pool_;
  base::Instant retransmit_at_ = base::Instant::max();
};

}  // namespace rtcstack::dtls
