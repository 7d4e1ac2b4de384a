package main

// The congestion-control comparison (bench/congestion_compare.py): a sends 640x480 VP8 at
// 30 fps to b through a bench_relay process (ports aliasA, aliasB) that makes the
// bottleneck. a runs Pion's send-side bandwidth estimator (interceptor pkg/gcc, through
// pkg/cc) with transport-wide sequence numbers (pkg/twcc's header extension interceptor);
// b sends transport-wide feedback (webrtc.RegisterDefaultInterceptors). The encoder
// follows the estimate's target. Prints cc_sample lines as bench_congestion does.

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v3"
	pionmedia "github.com/pion/webrtc/v3/pkg/media"
)

// rtpOverhead: bytes per packet besides the payload (RTP with extensions, SRTP, UDP, IPv4),
// as rtcstack's media::payload_bitrate counts them, so both encoders get the same share.
const rtpOverhead = 70

func congestionAPIs() (*webrtc.API, *webrtc.API, chan cc.BandwidthEstimator, error) {
	var s webrtc.SettingEngine
	configureLoopback(&s)
	sendMedia := &webrtc.MediaEngine{}
	if err := sendMedia.RegisterDefaultCodecs(); err != nil {
		return nil, nil, nil, err
	}
	sendRegistry := &interceptor.Registry{}
	estimators := make(chan cc.BandwidthEstimator, 1)
	controller, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(gcc.SendSideBWEInitialBitrate(300_000), gcc.SendSideBWEMinBitrate(30_000),
			gcc.SendSideBWEMaxBitrate(20_000_000))
	})
	if err != nil {
		return nil, nil, nil, err
	}
	controller.OnNewPeerConnection(func(_ string, estimator cc.BandwidthEstimator) { estimators <- estimator })
	sendRegistry.Add(controller)
	if err = webrtc.ConfigureTWCCHeaderExtensionSender(sendMedia, sendRegistry); err != nil {
		return nil, nil, nil, err
	}
	if err = webrtc.RegisterDefaultInterceptors(sendMedia, sendRegistry); err != nil {
		return nil, nil, nil, err
	}
	receiveMedia := &webrtc.MediaEngine{}
	if err = receiveMedia.RegisterDefaultCodecs(); err != nil {
		return nil, nil, nil, err
	}
	receiveRegistry := &interceptor.Registry{}
	if err = webrtc.RegisterDefaultInterceptors(receiveMedia, receiveRegistry); err != nil {
		return nil, nil, nil, err
	}
	sender := webrtc.NewAPI(webrtc.WithSettingEngine(s), webrtc.WithMediaEngine(sendMedia), webrtc.WithInterceptorRegistry(sendRegistry))
	receiver := webrtc.NewAPI(webrtc.WithSettingEngine(s), webrtc.WithMediaEngine(receiveMedia),
		webrtc.WithInterceptorRegistry(receiveRegistry))
	return sender, receiver, estimators, nil
}

func congestion(seconds float64) {
	const benchmark = "cc"
	sendAPI, receiveAPI, estimators, err := congestionAPIs()
	if err != nil {
		fail(benchmark, err)
	}
	a, err := sendAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		fail(benchmark, err)
	}
	b, err := receiveAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		fail(benchmark, err)
	}
	toA, toB := &trickle{pc: a}, &trickle{pc: b}
	a.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			toB.add(viaRelay(c.ToJSON(), aliasA))
		}
	})
	b.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			toA.add(viaRelay(c.ToJSON(), aliasB))
		}
	})
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "bench")
	if err != nil {
		fail(benchmark, err)
	}
	rtpSender, err := a.AddTrack(track)
	if err != nil {
		fail(benchmark, err)
	}
	// The interceptors read the feedback; a key-frame request is ours to answer.
	var keyFrame int32
	go func() {
		for {
			packets, _, err := rtpSender.ReadRTCP()
			if err != nil {
				return
			}
			for _, packet := range packets {
				switch packet.(type) {
				case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
					atomic.StoreInt32(&keyFrame, 1)
				}
			}
		}
	}()
	var received int64
	b.OnTrack(func(remote *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		go func() {
			for {
				packet, _, err := remote.ReadRTP()
				if err != nil {
					return
				}
				atomic.AddInt64(&received, int64(packet.MarshalSize()))
			}
		}()
	})
	connected := make(chan struct{}, 2)
	for _, pc := range []*webrtc.PeerConnection{a, b} {
		pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
			if state == webrtc.PeerConnectionStateConnected {
				connected <- struct{}{}
			}
		})
	}
	offer, err := a.CreateOffer(nil)
	if err == nil {
		err = a.SetLocalDescription(offer)
	}
	if err == nil {
		err = b.SetRemoteDescription(offer)
	}
	toB.open()
	var answer webrtc.SessionDescription
	if err == nil {
		answer, err = b.CreateAnswer(nil)
	}
	if err == nil {
		err = b.SetLocalDescription(answer)
	}
	if err == nil {
		err = a.SetRemoteDescription(answer)
	}
	toA.open()
	if err != nil {
		fail(benchmark, err)
	}
	estimator := <-estimators
	for i := 0; i < 2; i++ {
		select {
		case <-connected:
		case <-time.After(10 * time.Second):
			fail(benchmark, fmt.Errorf("the call did not connect"))
		}
	}
	encoder, err := newVP8Encoder(mediaWidth, mediaHeight, 300)
	if err != nil {
		fail(benchmark, err)
	}
	picture := make([]byte, mediaWidth*mediaHeight*3/2)
	start := time.Now()
	nextSample := 500 * time.Millisecond
	var receivedBefore int64
	applied := 0
	for frame := 0; ; frame++ {
		due := time.Duration(frame) * time.Second / 30
		for time.Since(start) < due {
			if time.Since(start) >= nextSample {
				now := atomic.LoadInt64(&received)
				fmt.Printf("{\"benchmark\":\"cc_sample\",\"stack\":\"pion\",\"t\":%.1f,\"target_bps\":%d,\"received_bps\":%d}\n",
					nextSample.Seconds(), estimator.GetTargetBitrate(), (now-receivedBefore)*8*2)
				receivedBefore = now
				nextSample += 500 * time.Millisecond
			}
			time.Sleep(time.Millisecond)
		}
		if time.Since(start).Seconds() >= seconds {
			break
		}
		// The same policy as rtcstack's Vp8Sender::set_target_bitrate: the payload share of
		// the target in packets of about 1100 bytes.
		if target := estimator.GetTargetBitrate(); target != applied {
			kbps := target * 1100 / (1100 + rtpOverhead) / 1000
			if kbps < 10 {
				kbps = 10
			}
			_ = encoder.setBitrate(kbps)
			applied = target
		}
		drawPattern(picture, frame)
		data, err := encoder.encode(picture, int64(frame)*3000, atomic.SwapInt32(&keyFrame, 0) == 1 || frame == 0)
		if err != nil {
			fail(benchmark, err)
		}
		if len(data) > 0 {
			_ = track.WriteSample(pionmedia.Sample{Data: data, Duration: time.Second / 30})
		}
	}
	fmt.Printf("{\"benchmark\":\"cc\",\"stack\":\"pion\",\"seconds\":%.1f}\n", seconds)
	_ = a.Close()
	_ = b.Close()
}
