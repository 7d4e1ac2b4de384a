package main

// The media scenario (7): a two-way 640x480 30 fps VP8 (1.5 Mbps) + stereo Opus call, both
// ends in this process. Each end draws rtcstack's test picture (media::TestPattern) and
// tone (media::TestTone), encodes and sends them on Pion tracks, and decodes what the other
// sends (Pion's sample builder reassembles VP8 frames; its default interceptors answer
// NACKs and send reports). Prints call_media_cpu like bench_call media.

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v3"
	pionmedia "github.com/pion/webrtc/v3/pkg/media"
	"github.com/pion/webrtc/v3/pkg/media/samplebuilder"
)

const (
	mediaWidth, mediaHeight = 640, 480
	mediaKbps               = 1500
	toneChannels            = 2
	toneFrame               = 960 // samples per channel in 20 ms at 48 kHz
)

// drawPattern fills an I420 picture with frame `index` of media::TestPattern.
func drawPattern(i420 []byte, index int) {
	w, h := mediaWidth, mediaHeight
	side := h / 12
	if side < 4 {
		side = 4
	}
	abs := func(v int) int {
		if v < 0 {
			return -v
		}
		return v
	}
	for row := 0; row < h; row++ {
		for col := 0; col < w; col++ {
			if abs(col-(index*6)%w) < side && abs(row-h/2) < side {
				i420[row*w+col] = 235
			} else {
				i420[row*w+col] = byte(16 + (row+col+index*4)%200)
			}
		}
	}
	chroma := w * h / 4
	u, v := i420[w*h:w*h+chroma], i420[w*h+chroma:]
	for i := 0; i < chroma; i++ {
		u[i] = byte(128 + (i/(w/2)+index)%50)
		v[i] = byte(100 + (i%(w/2))%60)
	}
}

// drawTone fills 20 ms of media::TestTone: 440 Hz left, 660 Hz right.
func drawTone(pcm []int16, index int) {
	for i := 0; i < toneFrame; i++ {
		t := float64(index*toneFrame+i) / 48000
		pcm[2*i] = int16(6000 * math.Sin(2*math.Pi*440*t))
		pcm[2*i+1] = int16(6000 * math.Sin(2*math.Pi*660*t))
	}
}

type mediaEnd struct {
	pc             *webrtc.PeerConnection
	video, audio   *webrtc.TrackLocalStaticSample
	keyFrame       int32 // set when the peer asks for one
	framesDecoded  int64
	samplesDecoded int64
}

func newMediaEnd(api *webrtc.API) (*mediaEnd, error) {
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	e := &mediaEnd{pc: pc}
	if e.video, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "bench"); err != nil {
		return nil, err
	}
	if e.audio, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "bench"); err != nil {
		return nil, err
	}
	for _, track := range []*webrtc.TrackLocalStaticSample{e.video, e.audio} {
		sender, err := pc.AddTrack(track)
		if err != nil {
			return nil, err
		}
		go e.readRTCP(sender)
	}
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { go e.receive(track) })
	return e, nil
}

// readRTCP lets the interceptors see the peer's reports and notes its key-frame requests.
func (e *mediaEnd) readRTCP(sender *webrtc.RTPSender) {
	for {
		packets, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, packet := range packets {
			switch packet.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				atomic.StoreInt32(&e.keyFrame, 1)
			}
		}
	}
}

func (e *mediaEnd) receive(track *webrtc.TrackRemote) {
	if track.Kind() == webrtc.RTPCodecTypeVideo {
		decoder, err := newVP8Decoder()
		if err != nil {
			return
		}
		builder := samplebuilder.New(256, &codecs.VP8Packet{}, 90000)
		for {
			packet, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			builder.Push(packet)
			for sample := builder.Pop(); sample != nil; sample = builder.Pop() {
				if n := decoder.decode(sample.Data); n > 0 {
					atomic.AddInt64(&e.framesDecoded, int64(n))
				}
			}
		}
	}
	decoder, err := newOpusDecoder(toneChannels)
	if err != nil {
		return
	}
	for {
		packet, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		if n := decoder.decode(packet.Payload); n > 0 {
			atomic.AddInt64(&e.samplesDecoded, int64(n))
		}
	}
}

// send draws, encodes and sends picture and tone in real time until stop closes.
func (e *mediaEnd) send(stop <-chan struct{}, failed chan<- error) {
	video, err := newVP8Encoder(mediaWidth, mediaHeight, mediaKbps)
	if err != nil {
		failed <- err
		return
	}
	audio, err := newOpusEncoder(toneChannels, 32000)
	if err != nil {
		failed <- err
		return
	}
	picture := make([]byte, mediaWidth*mediaHeight*3/2)
	pcm := make([]int16, toneFrame*toneChannels)
	start := time.Now()
	frames, tones := 0, 0
	ticker := time.NewTicker(2 * time.Millisecond)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		elapsed := time.Since(start)
		for ; time.Duration(frames)*time.Second/30 <= elapsed; frames++ {
			drawPattern(picture, frames)
			frame, err := video.encode(picture, int64(frames)*3000, atomic.SwapInt32(&e.keyFrame, 0) == 1 || frames == 0)
			if err != nil {
				failed <- err
				return
			}
			if len(frame) > 0 {
				_ = e.video.WriteSample(pionmedia.Sample{Data: frame, Duration: time.Second / 30})
			}
		}
		for ; time.Duration(tones)*20*time.Millisecond <= elapsed; tones++ {
			drawTone(pcm, tones)
			packet, err := audio.encode(pcm, toneFrame)
			if err != nil {
				failed <- err
				return
			}
			_ = e.audio.WriteSample(pionmedia.Sample{Data: packet, Duration: 20 * time.Millisecond})
		}
	}
}

func mediaAPI() (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	registry := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, registry); err != nil {
		return nil, err
	}
	var s webrtc.SettingEngine
	configureLoopback(&s)
	return webrtc.NewAPI(webrtc.WithSettingEngine(s), webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(registry)), nil
}

func mediaCall(seconds float64) {
	api, err := mediaAPI()
	if err != nil {
		fail("call_media_cpu", err)
	}
	a, err := newMediaEnd(api)
	if err != nil {
		fail("call_media_cpu", err)
	}
	b, err := newMediaEnd(api)
	if err != nil {
		fail("call_media_cpu", err)
	}
	// Non-trickle: each description carries its candidates.
	offer, err := a.pc.CreateOffer(nil)
	if err == nil {
		gathered := webrtc.GatheringCompletePromise(a.pc)
		err = a.pc.SetLocalDescription(offer)
		<-gathered
	}
	if err == nil {
		err = b.pc.SetRemoteDescription(*a.pc.LocalDescription())
	}
	var answer webrtc.SessionDescription
	if err == nil {
		answer, err = b.pc.CreateAnswer(nil)
	}
	if err == nil {
		gathered := webrtc.GatheringCompletePromise(b.pc)
		err = b.pc.SetLocalDescription(answer)
		<-gathered
	}
	if err == nil {
		err = a.pc.SetRemoteDescription(*b.pc.LocalDescription())
	}
	if err != nil {
		fail("call_media_cpu", err)
	}
	stop := make(chan struct{})
	failed := make(chan error, 2)
	go a.send(stop, failed)
	go b.send(stop, failed)
	deadline := time.Now().Add(10 * time.Second)
	for atomic.LoadInt64(&a.framesDecoded) == 0 || atomic.LoadInt64(&b.framesDecoded) == 0 {
		if time.Now().After(deadline) {
			fail("call_media_cpu", fmt.Errorf("no video decoded within 10 s"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	framesA, framesB := atomic.LoadInt64(&a.framesDecoded), atomic.LoadInt64(&b.framesDecoded)
	samplesA, samplesB := atomic.LoadInt64(&a.samplesDecoded), atomic.LoadInt64(&b.samplesDecoded)
	cpuStart, start := cpuSeconds(), time.Now()
	select {
	case err := <-failed:
		fail("call_media_cpu", err)
	case <-time.After(time.Duration(seconds * float64(time.Second))):
	}
	wall := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpuStart
	close(stop)
	fmt.Printf("{\"benchmark\":\"call_media_cpu\",\"seconds\":%.2f,\"video\":\"640x480 30 fps VP8 %d kbps each way\","+
		"\"audio\":\"stereo Opus 20 ms each way\",\"cpu_seconds_per_second\":%.3f,\"frames_decoded_a\":%d,"+
		"\"frames_decoded_b\":%d,\"audio_ms_decoded_a\":%d,\"audio_ms_decoded_b\":%d}\n",
		wall, mediaKbps, cpu/wall, atomic.LoadInt64(&a.framesDecoded)-framesA, atomic.LoadInt64(&b.framesDecoded)-framesB,
		(atomic.LoadInt64(&a.samplesDecoded)-samplesA)/48, (atomic.LoadInt64(&b.samplesDecoded)-samplesB)/48)
	_ = a.pc.Close()
	_ = b.pc.Close()
}
