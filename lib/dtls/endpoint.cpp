#include "dtls/endpoint.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/log.h"

namespace rtcstack::dtls {

namespace {

// The suites browsers negotiate for WebRTC, strongest first.
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Datagrams held while the peer is not yet authenticated, at most.
constexpr std::size_t kMaxInbox = 64;
// The largest handshake message OpenSSL reassembles (it buffers fragments of up to ten
// messages ahead): WebRTC certificates are self-signed and under 2 KB, OpenSSL's default
// allows 100 KB per message to a peer that has not authenticated.
constexpr long kMaxHandshakeMessage = 16 * 1024;
// RFC 6347 §4.1: a record's plaintext is at most 2^14 bytes.
constexpr std::size_t kMaxPlaintext = 16 * 1024;
// A server sends its last flight again at most this often, however many retransmitted
// client flights (or epoch-0 handshake records anyone can forge) arrive.
constexpr base::Duration kMinResendInterval = base::Duration::milliseconds(100);
// Alert levels and the descriptions handled by name (RFC 5246 §7.2).
constexpr std::uint8_t kWarning = 1, kFatal = 2, kCloseNotify = 0, kBadCertificate = 42;
constexpr std::uint8_t kFinished = 20;  // handshake message type

// The bytes of `datagram` after its first record of epoch 1, which is the peer's Finished
// when this datagram completed the handshake: OpenSSL stops reading there, so records
// behind it (application data sent at once) are left to the record layer.
base::ByteView after_finished(base::ByteView datagram) {
  while (!datagram.empty()) {
    RecordHeader header;
    if (!RecordHeader::read(datagram, header) || RecordHeader::kSize + header.length > datagram.size()) return {};
    datagram = datagram.subspan(RecordHeader::kSize + header.length);
    if (header.epoch != 0) return datagram;
  }
  return {};
}

// True when `datagram` is a run of whole DTLS 1.0/1.2 records of the four content types
// WebRTC uses. OpenSSL answers some malformed records (an unknown type, for one) with a
// fatal alert, so that one spoofed datagram could end a handshake; RFC 6347 §4.1.2.7 says
// invalid records are discarded, and so they are here, before OpenSSL sees them.
bool well_formed_records(base::ByteView datagram) {
  constexpr std::size_t kHeader = RecordHeader::kSize;
  while (!datagram.empty()) {
    if (datagram.size() < kHeader) return false;
    const std::uint8_t type = datagram[0];
    const bool known_type = type >= static_cast<std::uint8_t>(ContentType::kChangeCipherSpec) &&
                            type <= static_cast<std::uint8_t>(ContentType::kApplicationData);
    const bool dtls_version = datagram[1] == 0xfe && (datagram[2] == 0xff || datagram[2] == 0xfd);
    const std::size_t length = (std::size_t{datagram[11]} << 8) | datagram[12];
    if (!known_type || !dtls_version || kHeader + length > datagram.size()) return false;
    datagram = datagram.subspan(kHeader + length);
  }
  return true;
}

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? "no OpenSSL error detail" : text;
}

const char* openssl_name(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::kAes128CmSha1_80: return "SRTP_AES128_CM_SHA1_80";
    case SrtpProfile::kAes128CmSha1_32: return "SRTP_AES128_CM_SHA1_32";
    case SrtpProfile::kAeadAes128Gcm: return "SRTP_AEAD_AES_128_GCM";
    case SrtpProfile::kAeadAes256Gcm: return "SRTP_AEAD_AES_256_GCM";
  }
  return "";
}

// SSLKEYLOGFILE (NSS key log format) so Wireshark can decrypt the session.
void append_key_log(const SSL*, const char* line) {
  const char* path = std::getenv("SSLKEYLOGFILE");
  if (path == nullptr) return;
  if (std::FILE* file = std::fopen(path, "a")) {
    std::fprintf(file, "%s\n", line);
    std::fclose(file);
  }
}

}  // namespace

// The BIO that connects OpenSSL to the endpoint's queues, one datagram per read or write.
struct BioAccess {
  static Endpoint* endpoint(BIO* bio) { return static_cast<Endpoint*>(BIO_get_data(bio)); }

  static int write(BIO* bio, const char* data, int size) {
    Endpoint* e = endpoint(bio);
    const base::ByteView datagram(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size));
    // The record layer that takes over goes on numbering epoch 1 where OpenSSL stopped.
    for (base::ByteView rest = datagram; !rest.empty();) {
      RecordHeader header;
      if (!RecordHeader::read(rest, header) || RecordHeader::kSize + header.length > rest.size()) break;
      if (header.epoch == 1) e->next_write_sequence_ = std::max(e->next_write_sequence_, header.sequence + 1);
      rest = rest.subspan(RecordHeader::kSize + header.length);
    }
    if (e->capturing_) e->flight_.emplace_back(datagram);
    e->outputs_.emplace_back(Datagram{e->pool_->copy(datagram)});
    return size;
  }

  static int read(BIO* bio, char* out, int size) {
    Endpoint* e = endpoint(bio);
    BIO_clear_retry_flags(bio);
    // The datagram being handled, read straight from the caller's bytes; then anything
    // held back while the peer was not yet authenticated.
    base::ByteView datagram = e->current_;
    base::Buffer held;
    if (!datagram.empty()) {
      e->current_ = {};
    } else if (!e->inbox_.empty()) {
      held = std::move(e->inbox_.front());
      e->inbox_.pop_front();
      datagram = held;
    } else {
      BIO_set_retry_read(bio);
      return -1;
    }
    const std::size_t n = std::min(datagram.size(), static_cast<std::size_t>(size));
    std::memcpy(out, datagram.data(), n);
    return static_cast<int>(n);
  }

  static long control(BIO* bio, int command, long, void*) {
    switch (command) {
      case BIO_CTRL_FLUSH: return 1;
      case BIO_CTRL_DGRAM_QUERY_MTU: return static_cast<long>(endpoint(bio)->config_.mtu);
      case BIO_CTRL_PENDING: {
        const Endpoint* e = endpoint(bio);
        if (!e->current_.empty()) return static_cast<long>(e->current_.size());
        return e->inbox_.empty() ? 0 : static_cast<long>(e->inbox_.front().size());
      }
      default: return 0;
    }
  }

  static int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static BIO_METHOD* method() {
    static BIO_METHOD* const kMethod = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rtcstack datagram queue");
      BIO_meth_set_write(m, write);
      BIO_meth_set_read(m, read);
      BIO_meth_set_ctrl(m, control);
      BIO_meth_set_create(m, create);
      return m;
    }();
    return kMethod;
  }
};

std::string_view to_string(SrtpProfile profile) { return openssl_name(profile); }

std::size_t srtp_key_size(SrtpProfile profile) { return profile == SrtpProfile::kAeadAes256Gcm ? 32 : 16; }

std::size_t srtp_salt_size(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm || profile == SrtpProfile::kAeadAes256Gcm ? 12 : 14;
}

namespace {

// What every endpoint shares: one OpenSSL context for the process (SSL_CTX_new costs
// about 90 us under OpenSSL 3, more than the rest of a connection's DTLS setup). Each
// endpoint sets its own certificate, key and SRTP profiles on its SSL. Never freed, like
// usrsctp's global state; each SSL holds its own reference anyway.
SSL_CTX* shared_context() {
  static SSL_CTX* const context = [] {
    SSL_CTX* made = SSL_CTX_new(DTLS_method());
    if (made == nullptr || SSL_CTX_set_min_proto_version(made, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(made, DTLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(made, kCiphers) != 1) {
      SSL_CTX_free(made);
      return static_cast<SSL_CTX*>(nullptr);
    }
    // Any certificate is acceptable to OpenSSL: the fingerprint decides, after the handshake.
    SSL_CTX_set_verify(made, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, [](int, X509_STORE_CTX*) { return 1; });
    // Nor is a chain built and checked: the self-signed certificate would only fail it.
    SSL_CTX_set_cert_verify_callback(made, [](X509_STORE_CTX*, void*) { return 1; }, nullptr);
    SSL_CTX_set_read_ahead(made, 1);
    // Always installed: the variable is read per handshake, so a process may set it late.
    SSL_CTX_set_keylog_callback(made, append_key_log);
    return made;
  }();
  return context;
}

}  // namespace

Endpoint::Endpoint(Config config, base::BufferPool* pool)
    : config_(std::move(config)), pool_(pool != nullptr ? pool : &own_pool_) {
  std::string profiles;
  for (SrtpProfile profile : config_.srtp_profiles) {
    if (!profiles.empty()) profiles += ':';
    profiles += openssl_name(profile);
  }
  SSL_CTX* context = shared_context();
  if (context != nullptr && config_.certificate != nullptr) ssl_ = SSL_new(context);
  const bool ok = ssl_ != nullptr && SSL_use_certificate(ssl_, config_.certificate->x509()) == 1 &&
                  SSL_use_PrivateKey(ssl_, config_.certificate->key()) == 1 &&
                  (profiles.empty() || SSL_set_tlsext_use_srtp(ssl_, profiles.c_str()) == 0);
  if (!ok) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (ssl_ == nullptr) {
    fail("cannot set up OpenSSL: " + openssl_errors());
    return;
  }
  BIO* bio = BIO_new(BioAccess::method());
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // the same BIO both ways: SSL takes its one reference
  // No session tickets: sessions are never resumed, and a ticket would only lengthen the
  // server's last flight, which it keeps until the client has it.
  SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
  SSL_set_max_cert_list(ssl_, kMaxHandshakeMessage);
  // Records never exceed the MTU (SCTP packets are cut to fit one), and OpenSSL sizes its
  // write buffer from this: 1.6 KB per connection instead of 16.7 KB.
  SSL_set_max_send_fragment(ssl_, static_cast<long>(std::max<std::size_t>(config_.mtu, 512)));
  SSL_set_mtu(ssl_, static_cast<long>(config_.mtu));
  DTLS_set_timer_cb(ssl_, [](SSL*, unsigned int previous_us) -> unsigned int {
    // RFC 6347 §4.2.4.1 doubling, from the half-second WebRTC stacks start with rather
    // than OpenSSL's full second, capped at 8 s.
    return previous_us == 0 ? 500'000 : std::min(previous_us * 2, 8'000'000u);
  });
  if (config_.role == Role::kClient) {
    SSL_set_connect_state(ssl_);
  } else {
    SSL_set_accept_state(ssl_);
  }
}

Endpoint::~Endpoint() {
  SSL_free(ssl_);
  X509_free(peer_);
}

void Endpoint::set_state(State state, std::string reason) {
  if (state == state_) return;
  state_ = state;
  outputs_.emplace_back(Event{StateEvent{state, std::move(reason)}});
}

void Endpoint::fail(std::string reason, bool certificate_rejected) {
  RTC_LOG(kWarning, "dtls") << reason;
  retransmit_at_ = base::Instant::max();
  inbox_.clear();
  if (state_ == State::kFailed) return;
  state_ = State::kFailed;
  outputs_.emplace_back(Event{StateEvent{State::kFailed, std::move(reason), certificate_rejected}});
}

void Endpoint::refuse_certificate(std::string reason) {
  // RFC 8122 §5: the session ends at once; a fatal bad_certificate alert (RFC 5246 §7.2.2)
  // tells the peer, whose handshake had completed, instead of leaving it to find out when
  // consent expires.
  const std::uint8_t bad_certificate[2] = {kFatal, kBadCertificate};
  seal_and_queue(ContentType::kAlert, bad_certificate);
  fail(std::move(reason), true);
}

void Endpoint::start(base::Instant now) {
  if (state_ != State::kNew) return;
  set_state(State::kConnecting);
  pump(now);
}

void Endpoint::set_remote_fingerprint(base::Instant now, Fingerprint fingerprint) {
  config_.remote_fingerprint = std::move(fingerprint);
  if (handshake_done_ && state_ == State::kConnecting) after_handshake(now);
}

void Endpoint::handle_receive(base::Instant now, base::ByteView datagram) {
  if (state_ == State::kFailed || state_ == State::kClosed || (ssl_ == nullptr && !records_)) return;
  // An empty datagram carries no record (and would read as end of stream).
  if (datagram.empty() || !well_formed_records(datagram)) {
    ++dropped_;
    return;
  }
  if (state_ == State::kNew) set_state(State::kConnecting);  // a server learns of the client here
  if (handshake_done_ && state_ == State::kConnecting) {
    // Waiting for the remote fingerprint: hold the datagram (bounded; a flood is dropped).
    if (inbox_.size() < kMaxInbox) {
      inbox_.emplace_back(datagram);
    } else {
      ++dropped_;
    }
    return;
  }
  if (records_) {
    receive_records(now, datagram);
    return;
  }
  // No copy: OpenSSL reads the caller's bytes during this call.
  current_ = receiving_ = datagram;
  pump(now);
  current_ = receiving_ = {};
}

void Endpoint::update_timer(base::Instant now) {
  // OpenSSL keeps the retransmission timer of DTLS on its own clock (gettimeofday); the
  // remaining time is mapped onto the caller's. Under a real event loop both clocks run
  // together; tests in simulated time move OpenSSL's clock with theirs
  // (tests/support/wall_clock.h).
  timeval remaining{};
  if (handshake_done_ || state_ != State::kConnecting || DTLSv1_get_timeout(ssl_, &remaining) != 1) {
    retransmit_at_ = base::Instant::max();
    return;
  }
  retransmit_at_ = now + base::Duration::seconds(remaining.tv_sec) + base::Duration::microseconds(remaining.tv_usec);
}

void Endpoint::pump(base::Instant now) {
  if (ssl_ == nullptr || handshake_done_) return;
  flight_.clear();
  capturing_ = true;
  const int result = SSL_do_handshake(ssl_);
  capturing_ = false;
  if (result == 1) {
    handshake_done_ = true;
    retransmit_at_ = base::Instant::max();
    take_over(after_finished(receiving_));
    after_handshake(now);
    return;
  }
  const int error = SSL_get_error(ssl_, result);
  if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
    fail("DTLS handshake failed: " + openssl_errors());
    return;
  }
  update_timer(now);
}

// The handshake is complete: everything still needed of the SSL (the record keys, the
// peer's certificate, the SRTP keying material) is taken out and the SSL freed.
void Endpoint::take_over(base::ByteView completing) {
  auto records = RecordLayer::from_session(ssl_, config_.role == Role::kClient, next_write_sequence_);
  if (!records) {
    fail("DTLS: " + records.error().message);
    return;
  }
  peer_ = SSL_get1_peer_certificate(ssl_);
  if (const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_)) {
    const auto profile = static_cast<SrtpProfile>(selected->id);
    const std::size_t key = srtp_key_size(profile);
    const std::size_t salt = srtp_salt_size(profile);
    base::Buffer material(2 * (key + salt));
    static constexpr char kLabel[] = "EXTRACTOR-dtls_srtp";
    if (SSL_export_keying_material(ssl_, material.data(), material.size(), kLabel, sizeof kLabel - 1, nullptr, 0, 0) != 1) {
      fail("exporting DTLS-SRTP keys failed: " + openssl_errors());
      return;
    }
    // RFC 5764 §4.2: client key, server key, client salt, server salt.
    const base::ByteView m = material;
    const base::ByteView client_key = m.subspan(0, key), server_key = m.subspan(key, key);
    const base::ByteView client_salt = m.subspan(2 * key, salt), server_salt = m.subspan(2 * key + salt, salt);
    const bool client = config_.role == Role::kClient;
    srtp_keys_ = SrtpKeysEvent{profile, base::Buffer(client ? client_key : server_key),
                               base::Buffer(client ? client_salt : server_salt),
                               base::Buffer(client ? server_key : client_key),
                               base::Buffer(client ? server_salt : client_salt)};
    OPENSSL_cleanse(material.data(), material.size());
  }
  records_ = std::move(*records);
  // The client completes on the server's last flight, so it wrote nothing in this step;
  // a server's last flight is what it just wrote.
  last_flight_ = std::move(flight_);
  flight_.clear();
  SSL_free(ssl_);
  ssl_ = nullptr;
  // Records that came behind the Finished wait with anything else for the fingerprint.
  if (!completing.empty()) inbox_.emplace_front(completing);
}

void Endpoint::after_handshake(base::Instant now) {
  if (!records_ || !config_.remote_fingerprint) return;  // wait for the SDP: nothing is released until then
  if (peer_ == nullptr) {
    refuse_certificate("the peer presented no certificate");
    return;
  }
  const auto actual = fingerprint_of(peer_, config_.remote_fingerprint->algorithm);
  X509_free(peer_);
  peer_ = nullptr;
  const base::Buffer& expected = config_.remote_fingerprint->digest;
  if (!actual || actual->digest.size() != expected.size() ||
      CRYPTO_memcmp(actual->digest.data(), expected.data(), expected.size()) != 0) {
    refuse_certificate("the peer's certificate does not match the fingerprint from the remote SDP");
    return;
  }
  if (srtp_keys_) {
    profile_ = srtp_keys_->profile;
    outputs_.emplace_back(Event{std::move(*srtp_keys_)});
    srtp_keys_.reset();
  }
  set_state(State::kConnected);
  while (!inbox_.empty() && state_ == State::kConnected) {
    const base::Buffer held = std::move(inbox_.front());
    inbox_.pop_front();
    receive_records(now, held);
  }
}

void Endpoint::receive_records(base::Instant now, base::ByteView datagram) {
  bool discarded = false, resent = false;
  while (!datagram.empty() && state_ == State::kConnected) {
    RecordHeader header;
    RecordHeader::read(datagram, header);  // whole records: well_formed_records() checked
    const base::ByteView record = datagram.first(RecordHeader::kSize + header.length);
    datagram = datagram.subspan(record.size());
    if (!receive_record(now, header, record, resent)) discarded = true;
  }
  if (discarded) ++dropped_;
}

// One record of an established session; false when it is dropped.
bool Endpoint::receive_record(base::Instant now, const RecordHeader& header, base::ByteView record, bool& resent) {
  const auto type = static_cast<ContentType>(header.type);
  if (header.epoch == 0) {
    // Unprotected: only a client retransmitting its last flight (it lost ours) sends
    // these now. Its handshake records ask for our last flight again; its
    // ChangeCipherSpec goes with them.
    if (type == ContentType::kHandshake && !last_flight_.empty()) {
      if (!resent) resend_last_flight(now);
      resent = true;
      return true;
    }
    return type == ContentType::kChangeCipherSpec && !last_flight_.empty();
  }
  base::Buffer plain = pool_->take(header.length);
  const auto opened = records_->open(header, record, plain.mutable_view());
  if (!opened) {
    RTC_LOG(kDebug, "dtls") << "record dropped: " << opened.error().message;
    pool_->give(std::move(plain));
    return false;
  }
  plain.resize(opened->size);
  bool used = true;
  switch (opened->type) {
    case ContentType::kApplicationData:
      last_flight_.clear();  // the client sends data only once it has our Finished
      outputs_.emplace_back(Event{ApplicationDataEvent{std::move(plain)}});
      return true;
    case ContentType::kAlert:
      if (plain.size() == 2 && plain[1] == kCloseNotify) {
        set_state(State::kClosed, "the peer sent close_notify");
      } else if (plain.size() == 2 && plain[0] == kFatal) {
        fail("the peer sent fatal alert " + std::to_string(plain[1]));
      } else {
        used = plain.size() == 2 && plain[0] == kWarning;  // other warnings change nothing
      }
      break;
    case ContentType::kHandshake:
      // The client's Finished again: it has not seen ours.
      used = !last_flight_.empty() && !plain.empty() && plain[0] == kFinished;
      if (used && !resent) resend_last_flight(now);
      resent = resent || used;
      break;
    default: used = false; break;
  }
  pool_->give(std::move(plain));
  return used;
}

void Endpoint::resend_last_flight(base::Instant now) {
  if (last_resend_ && now - *last_resend_ < kMinResendInterval) return;
  last_resend_ = now;
  for (const base::Buffer& datagram : last_flight_) outputs_.emplace_back(Datagram{pool_->copy(datagram)});
}

void Endpoint::seal_and_queue(ContentType type, base::ByteView payload) {
  base::Buffer record = pool_->take(payload.size() + records_->overhead());
  const auto size = records_->seal(type, payload, record.mutable_view());
  if (!size) {
    pool_->give(std::move(record));
    fail("DTLS: " + size.error().message);
    return;
  }
  outputs_.emplace_back(Datagram{std::move(record)});
}

void Endpoint::handle_timeout(base::Instant now) {
  if (handshake_done_ || now < retransmit_at_ || state_ != State::kConnecting) return;
  const int result = DTLSv1_handle_timeout(ssl_);
  if (result < 0) {
    fail("DTLS handshake timed out: " + openssl_errors());
    return;
  }
  update_timer(now);
}

Output Endpoint::poll_output() {
  if (!outputs_.empty()) {
    Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }
  return Timeout{retransmit_at_, retransmit_at_ == base::Instant::max() ? TimerReason::kNone : TimerReason::kRetransmission};
}

std::string_view to_string(TimerReason reason) {
  return reason == TimerReason::kRetransmission ? "retransmission" : "none";
}

base::Result<void> Endpoint::send(base::ByteView data) {
  if (state_ != State::kConnected) {
    return base::make_error(base::ErrorCode::kWrongState,
                            "DTLS: cannot send application data in state " + std::string(to_string(state_)));
  }
  if (data.size() > kMaxPlaintext) {
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "DTLS: " + std::to_string(data.size()) + " bytes do not fit one record (16384 at most)");
  }
  seal_and_queue(ContentType::kApplicationData, data);
  if (state_ != State::kConnected) return base::make_error(base::ErrorCode::kInternal, "DTLS: the record was not sealed");
  return {};
}

void Endpoint::close() {
  if (state_ == State::kConnected) {
    const std::uint8_t close_notify[2] = {kWarning, kCloseNotify};
    seal_and_queue(ContentType::kAlert, close_notify);
  }
  if (state_ != State::kFailed) set_state(State::kClosed, "closed locally");
  retransmit_at_ = base::Instant::max();
  inbox_.clear();
  last_flight_.clear();
}

}  // namespace rtcstack::dtls
