// Transceivers: rolling back a remote offer (W3C "set the RTCSessionDescription" with
// type rollback, JSEP RFC 8829 §4.1.10). Applying a remote offer changes transceivers at
// once - it makes new ones, gives mids, stops rejected ones and announces tracks - so
// what it may change is kept until the offer is answered, and a rollback puts it back:
// the transceivers the offer made go unless the application has taken them (add_track,
// set_direction), the others get their mid, sections, stopped state and track back, and
// tracks the offer announced end (TrackEndedEvent) while tracks it ended come back
// (TrackEvent). What the application did meanwhile (directions, stop()) stays.
#include "pc/transceivers.h"

namespace rtcstack::pc {

void Transceivers::remember_before_remote_offer() {
  if (!before_remote_offer_) before_remote_offer_ = transceivers_;  // a second offer rolls back to before the first
}

void Transceivers::undo_remote_offer() {
  if (!before_remote_offer_) return;
  std::map<TransceiverHandle, Transceiver> before = std::move(*before_remote_offer_);
  before_remote_offer_.reset();
  for (auto it = transceivers_.begin(); it != transceivers_.end();) {
    const TransceiverHandle handle = it->first;
    Transceiver& now = it->second;
    const auto was = before.find(handle);
    const bool announced_before = was != before.end() && was->second.track_announced;
    if (now.track_announced && !announced_before) emit(TrackEndedEvent{handle});
    if (was == before.end()) {
      if (now.made_for_remote_offer || now.stopped) {
        rtp_->remove_stream(handle);
        it = transceivers_.erase(it);
        continue;
      }
      // Made for the offer, then taken by the application: it stays, unassociated.
      now.mid.reset();
      now.remote.reset();
      now.local.reset();
      now.track_announced = false;
      ++it;
      continue;
    }
    const Transceiver& old = was->second;
    if (announced_before && !now.track_announced && !now.stopped_locally && now.mid) {
      emit(TrackEvent{handle, now.kind, *old.mid, old.remote->stream_id, old.remote->track_id});
    }
    now.mid = old.mid;
    now.remote = old.remote;
    now.local = old.local;
    now.track_announced = old.track_announced && !now.stopped_locally;
    if (!now.stopped_locally && now.stopped != old.stopped) {
      now.stopped = old.stopped;
      // A rejection the offer brought removed the stream: it comes back with the SSRCs
      // our descriptions announced.
      if (!now.stopped && now.local) rtp_->add_stream(handle, now.local->ssrc, now.local->rtx_ssrc.value_or(0));
    }
    ++it;
  }
  configure_streams();
}

}  // namespace rtcstack::pc
