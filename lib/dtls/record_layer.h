// The record protection of an established DTLS 1.2 session (RFC 6347 §4.1), done here
// instead of by OpenSSL once the handshake is over: OpenSSL keeps a handshake buffer and
// a read buffer of some 40 KB per SSL for as long as a DTLS-over-UDP session lives, with
// no API to release them, so the endpoint frees its SSL after the handshake and seals and
// opens records with the keys the handshake agreed. Only the AEAD suites WebRTC peers
// negotiate are supported: AES-128-GCM and AES-256-GCM (RFC 5288: 4-byte implicit salt,
// 8-byte explicit nonce per record) and ChaCha20-Poly1305 (RFC 7905: a 12-byte IV XORed
// with the record's epoch and sequence number).
#pragma once


#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/replay_window.h"
#include "base/result.h"

// OpenSSL's struct tags (SSL, X509), declared so that OpenSSL's headers stay out of ours.
struct ssl_st;

namespace rtcstack::dtls {

/// DTLS content types (RFC 5246 §6.2.1).
enum class ContentType : std::uint8_t { kChangeCipherSpec = 20, kAlert = 21, kHandshake = 22, kApplicationData = 23 };

/// The fixed part of a DTLS record: type, version, epoch, 48-bit sequence number, length.
struct RecordHeader {
  static constexpr std::size_t kSize = 13;
  std::uint8_t type = 0;
  std::uint16_t epoch = 0;
  std::uint64_t sequence = 0;
  std::size_t length = 0;  ///< of the fragment after the header
  /// The header at the front of `bytes`, if 13 bytes are there.
  static bool read(base::ByteView bytes, RecordHeader& out);
};

class RecordLayer {
 public:
  enum class Suite : std::uint8_t { kAes128Gcm, kAes256Gcm, kChaCha20Poly1305 };

  /// The keys of `ssl`'s session (its handshake complete), derived as RFC 5246 §6.3 says
  /// from the master secret and both randoms. `next_write_sequence` continues the epoch-1
  /// numbering OpenSSL began with its Finished. Fails for a suite that is not one of the three.
  static base::Result<RecordLayer> from_session(ssl_st* ssl, bool client, std::uint64_t next_write_sequence);
  /// Keys given directly (tests): each key 16 or 32 bytes, each IV 4 (GCM) or 12 (ChaCha20).
  static base::Result<RecordLayer> from_keys(Suite suite, base::ByteView write_key, base::ByteView write_iv,
                                             base::ByteView read_key, base::ByteView read_iv,
                                             std::uint64_t next_write_sequence);

  RecordLayer(RecordLayer&&) noexcept;
  RecordLayer& operator=(RecordLayer&&) noexcept;
  ~RecordLayer();

  Suite suite() const { return suite_; }
  /// Bytes a sealed record adds to its payload (header, explicit nonce, tag).
  std::size_t overhead() const;
  /// Seals `payload` as one record of `type` into `out`, which must hold payload.size() +
  /// overhead() bytes; returns the record's size. `payload` may not overlap `out`.
  base::Result<std::size_t> seal(ContentType type, base::ByteView payload, base::MutableByteView out);

  struct Opened {
    ContentType type;
    std::size_t size;  ///< plaintext bytes written to the front of `out`
  };
  /// Opens one record (`record` is exactly its header and fragment) into `out`, which must
  /// hold header.length bytes. Refuses, with nothing changed, a record of another epoch,
  /// one that does not authenticate, and a replay or one too old for the window.
  base::Result<Opened> open(const RecordHeader& header, base::ByteView record, base::MutableByteView out);

 private:
  struct Contexts;
  RecordLayer(Suite suite, std::unique_ptr<Contexts> contexts, std::uint64_t next_write_sequence);
  void nonce(const std::uint8_t* iv, std::uint64_t epoch_and_sequence, std::uint8_t* out) const;

  Suite suite_;
  std::unique_ptr<Contexts> contexts_;
  std::uint64_t write_sequence_;
  base::ReplayWindow window_{64};
  static constexpr std::uint16_t kEpoch = 1;  // the one epoch a session without renegotiation has
};

}  // namespace rtcstack::dtls
