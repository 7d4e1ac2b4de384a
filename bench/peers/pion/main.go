// The side-by-side scenarios of bench/compare.py for Pion WebRTC v3: two PeerConnections
// in this process over loopback UDP, printing one JSON object per line with the same
// names and units as rtcstack's bench_call.
//
//	pion-bench setup N        offer -> data channel open on both ends, N calls: median, p95
//	pion-bench throughput S   one reliable ordered channel, 64 KiB messages for S seconds
//	pion-bench memory N       resident bytes per idle connected PeerConnection, N pairs
//	pion-bench many N         N connections served by one UDP port (ice.UDPMuxDefault),
//	                          their N peers on their own sockets: time to open all, CPU
//	pion-bench via S A B      throughput as above through a bench_relay process whose
//	                          aliases for the offerer and the answerer are ports A and B
//	pion-bench srtp S         SRTP protect and unprotect of 1200-byte RTP packets per
//	                          profile, S seconds each (pion/srtp v2)
//	pion-bench media S        CPU per second of a two-way 640x480 30 fps VP8 + Opus call
//	                          (media.go; VP8 and Opus through libvpx and libopus, codecs.go)
//	pion-bench cc S A B       VP8 following Pion's GCC estimate through a bench_relay
//	                          bottleneck (congestion.go), as bench_congestion does
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/ice/v2"
	"github.com/pion/srtp/v2"
	"github.com/pion/webrtc/v3"
)

const messageSize = 64 * 1024

func newAPI() *webrtc.API { return newAPIWith(func(*webrtc.SettingEngine) {}) }

// configureLoopback keeps Pion's candidates to IPv4 loopback, without mDNS.
func configureLoopback(s *webrtc.SettingEngine) {
	s.SetIncludeLoopbackCandidate(true)
	s.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
}

func newAPIWith(configure func(*webrtc.SettingEngine)) *webrtc.API {
	var s webrtc.SettingEngine
	configureLoopback(&s)
	// OnMessage cannot take a 64 KiB message (its read buffer is 65 535 bytes): read the
	// detached channel instead.
	s.DetachDataChannels()
	configure(&s)
	return webrtc.NewAPI(webrtc.WithSettingEngine(s))
}

// Trickled candidates wait until the other side has its remote description.
type trickle struct {
	mu      sync.Mutex
	ready   bool
	pending []webrtc.ICECandidateInit
	pc      *webrtc.PeerConnection
}

func (t *trickle) add(c webrtc.ICECandidateInit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ready {
		t.pending = append(t.pending, c)
		return
	}
	_ = t.pc.AddICECandidate(c)
}

func (t *trickle) open() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ready = true
	for _, c := range t.pending {
		_ = t.pc.AddICECandidate(c)
	}
	t.pending = nil
}

// Candidates go to the other side with their port replaced by the relay's alias for
// their sender, when a relay is in use (0: none).
var aliasA, aliasB int

func viaRelay(c webrtc.ICECandidateInit, alias int) webrtc.ICECandidateInit {
	if alias == 0 {
		return c
	}
	fields := strings.Fields(c.Candidate)
	if len(fields) >= 6 {
		fields[5] = strconv.Itoa(alias)
		c.Candidate = strings.Join(fields, " ")
	}
	return c
}

type pair struct {
	a, b     *webrtc.PeerConnection
	channel  *webrtc.DataChannel
	aOpen    chan io.ReadWriteCloser
	bOpen    chan io.ReadWriteCloser
	toA, toB *trickle
}

func newPair(api *webrtc.API) (*pair, error) { return newPairOn(api, api) }

// newPairOn makes a (the offerer) with one API and b with another.
func newPairOn(apiA, apiB *webrtc.API) (*pair, error) {
	a, err := apiA.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	b, err := apiB.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	p := &pair{a: a, b: b, aOpen: make(chan io.ReadWriteCloser, 1), bOpen: make(chan io.ReadWriteCloser, 1),
		toA: &trickle{pc: a}, toB: &trickle{pc: b}}
	a.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			p.toB.add(viaRelay(c.ToJSON(), aliasA))
		}
	})
	b.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			p.toA.add(viaRelay(c.ToJSON(), aliasB))
		}
	})
	b.OnDataChannel(func(d *webrtc.DataChannel) {
		d.OnOpen(func() {
			raw, err := d.Detach()
			if err == nil {
				p.bOpen <- raw
			}
		})
	})
	return p, nil
}

// connect negotiates and waits for the channel to be open on both ends.
func (p *pair) connect() (io.ReadWriteCloser, io.ReadWriteCloser, error) {
	if err := p.negotiate(); err != nil {
		return nil, nil, err
	}
	return p.wait(10 * time.Second)
}

// negotiate makes the channel and does offer and answer; the connection comes up on its own.
func (p *pair) negotiate() error {
	ordered := true
	channel, err := p.a.CreateDataChannel("bench", &webrtc.DataChannelInit{Ordered: &ordered})
	if err != nil {
		return err
	}
	p.channel = channel
	channel.OnOpen(func() {
		raw, err := channel.Detach()
		if err == nil {
			p.aOpen <- raw
		}
	})
	offer, err := p.a.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err = p.a.SetLocalDescription(offer); err != nil {
		return err
	}
	if err = p.b.SetRemoteDescription(offer); err != nil {
		return err
	}
	p.toB.open()
	answer, err := p.b.CreateAnswer(nil)
	if err != nil {
		return err
	}
	if err = p.b.SetLocalDescription(answer); err != nil {
		return err
	}
	if err = p.a.SetRemoteDescription(answer); err != nil {
		return err
	}
	p.toA.open()
	return nil
}

// wait returns both ends of the channel once it is open.
func (p *pair) wait(limit time.Duration) (io.ReadWriteCloser, io.ReadWriteCloser, error) {
	timeout := time.After(limit)
	var a, b io.ReadWriteCloser
	for a == nil || b == nil {
		select {
		case a = <-p.aOpen:
		case b = <-p.bOpen:
		case <-timeout:
			return nil, nil, fmt.Errorf("the channel did not open")
		}
	}
	return a, b, nil
}

func (p *pair) close() {
	_ = p.a.Close()
	_ = p.b.Close()
}

func fail(benchmark string, err error) {
	fmt.Printf("{\"benchmark\":\"%s\",\"error\":%q}\n", benchmark, err.Error())
	os.Exit(1)
}

func setup(calls int) {
	api := newAPI()
	var times []float64
	for i := 0; i < calls; i++ {
		p, err := newPair(api)
		if err != nil {
			fail("call_setup_ms", err)
		}
		start := time.Now()
		if _, _, err := p.connect(); err != nil {
			fail("call_setup_ms", err)
		}
		times = append(times, float64(time.Since(start).Microseconds())/1000)
		p.close()
	}
	sort.Float64s(times)
	fmt.Printf("{\"benchmark\":\"call_setup_ms\",\"calls\":%d,\"median_ms\":%.2f,\"p95_ms\":%.2f,\"min_ms\":%.2f,\"max_ms\":%.2f}\n",
		calls, percentile(times, 50), percentile(times, 95), times[0], times[len(times)-1])
}

func percentile(sorted []float64, p float64) float64 {
	at := p / 100 * float64(len(sorted)-1)
	low := int(at)
	if low+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[low] + (at-float64(low))*(sorted[low+1]-sorted[low])
}

func throughput(seconds float64) { measure("call_channel_throughput", seconds) }

func measure(benchmark string, seconds float64) {
	p, err := newPair(newAPI())
	if err != nil {
		fail(benchmark, err)
	}
	defer p.close()
	writer, reader, err := p.connect()
	if err != nil {
		fail(benchmark, err)
	}
	var received int64
	done := make(chan struct{})
	go func() {
		buffer := make([]byte, 2*messageSize)
		for {
			n, err := reader.Read(buffer)
			if err != nil {
				close(done)
				return
			}
			atomic.AddInt64(&received, int64(n))
		}
	}()
	// Backpressure as a browser application does it: wait below the low-water mark.
	const high, low = 4 << 20, 1 << 20
	lowWater := make(chan struct{}, 1)
	p.channel.SetBufferedAmountLowThreshold(low)
	p.channel.OnBufferedAmountLow(func() {
		select {
		case lowWater <- struct{}{}:
		default:
		}
	})
	message := make([]byte, messageSize)
	var sent int64
	start := time.Now()
	for time.Since(start).Seconds() < seconds {
		if p.channel.BufferedAmount() > high {
			select {
			case <-lowWater:
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		if _, err := writer.Write(message); err != nil {
			fail(benchmark, err)
		}
		sent += messageSize
	}
	deadline := time.Now().Add(60 * time.Second)
	for atomic.LoadInt64(&received) < sent && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start).Seconds()
	fmt.Printf("{\"benchmark\":%q,\"bytes\":%d,\"seconds\":%.3f,\"mb_per_second\":%.1f}\n",
		benchmark, atomic.LoadInt64(&received), elapsed, float64(atomic.LoadInt64(&received))/elapsed/1e6)
}

func residentBytes() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func memory(pairs int) {
	api := newAPI()
	before := residentBytes()
	var all []*pair
	for i := 0; i < pairs; i++ {
		p, err := newPair(api)
		if err != nil {
			fail("call_idle_memory", err)
		}
		if _, _, err := p.connect(); err != nil {
			fail("call_idle_memory", err)
		}
		all = append(all, p)
	}
	time.Sleep(time.Second)
	after := residentBytes()
	fmt.Printf("{\"benchmark\":\"call_idle_memory\",\"connections\":%d,\"resident_bytes_per_connection\":%d}\n",
		2*pairs, (after-before)/int64(2*pairs))
	for _, p := range all {
		p.close()
	}
}

func srtpRates(seconds float64) {
	profiles := []struct {
		name    string
		profile srtp.ProtectionProfile
		key     int
		salt    int
	}{
		{"AES_CM_128_HMAC_SHA1_80", srtp.ProtectionProfileAes128CmHmacSha1_80, 16, 14},
		{"AEAD_AES_128_GCM", srtp.ProtectionProfileAeadAes128Gcm, 16, 12},
	}
	const size = 1200
	for _, p := range profiles {
		key, salt := make([]byte, p.key), make([]byte, p.salt)
		sender, err := srtp.CreateContext(key, salt, p.profile)
		if err != nil {
			fail("srtp_protect", err)
		}
		receiver, err := srtp.CreateContext(key, salt, p.profile)
		if err != nil {
			fail("srtp_unprotect", err)
		}
		plain := make([]byte, size)
		plain[0], plain[1] = 0x80, 96
		plain[8], plain[9], plain[10], plain[11] = 1, 2, 3, 4
		out := make([]byte, 0, size+64)
		// Protect for S seconds, keeping a ring of packets to unprotect afterwards.
		ring := make([][]byte, 0, 1<<16)
		count := 0
		start := time.Now()
		for time.Since(start).Seconds() < seconds {
			plain[2], plain[3] = byte(count>>8), byte(count)
			encrypted, err := sender.EncryptRTP(out[:0], plain, nil)
			if err != nil {
				fail("srtp_protect", err)
			}
			if len(ring) < cap(ring) {
				ring = append(ring, append([]byte(nil), encrypted...))
			}
			count++
		}
		protectRate := float64(count) / time.Since(start).Seconds()
		fmt.Printf("{\"benchmark\":\"srtp_protect\",\"profile\":%q,\"packets_per_second\":%.0f}\n", p.name, protectRate)
		decrypted := make([]byte, 0, size+64)
		count = 0
		start = time.Now()
		for time.Since(start).Seconds() < seconds && count < len(ring) {
			if _, err := receiver.DecryptRTP(decrypted[:0], ring[count], nil); err != nil {
				fail("srtp_unprotect", err)
			}
			count++
		}
		fmt.Printf("{\"benchmark\":\"srtp_unprotect\",\"profile\":%q,\"packets_per_second\":%.0f}\n", p.name,
			float64(count)/time.Since(start).Seconds())
	}
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return float64(usage.Utime.Sec+usage.Stime.Sec) + float64(usage.Utime.Usec+usage.Stime.Usec)/1e6
}

func many(count int) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fail("call_many_one_port", err)
	}
	mux := ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: conn})
	server := newAPIWith(func(s *webrtc.SettingEngine) { s.SetICEUDPMux(mux) })
	clients := newAPI()
	cpuStart := cpuSeconds()
	start := time.Now()
	var all []*pair
	for i := 0; i < count; i++ {
		p, err := newPairOn(clients, server)
		if err != nil {
			fail("call_many_one_port", err)
		}
		if err := p.negotiate(); err != nil {
			fail("call_many_one_port", err)
		}
		all = append(all, p)
	}
	opened := 0
	for _, p := range all {
		if _, _, err := p.wait(120*time.Second - time.Since(start)); err == nil {
			opened++
		}
	}
	seconds := time.Since(start).Seconds()
	cpu := cpuSeconds() - cpuStart
	fmt.Printf("{\"benchmark\":\"call_many_one_port\",\"connections\":%d,\"opened\":%d,\"seconds_to_connect_all\":%.2f,"+
		"\"cpu_seconds\":%.2f,\"cpu_ms_per_connection\":%.2f}\n", count, opened, seconds, cpu, cpu*1000/float64(count))
	for _, p := range all {
		p.close()
	}
}

func main() {
	if len(os.Args) == 5 && os.Args[1] == "cc" {
		seconds, err := strconv.ParseFloat(os.Args[2], 64)
		aliasA, _ = strconv.Atoi(os.Args[3])
		aliasB, _ = strconv.Atoi(os.Args[4])
		if err != nil || seconds <= 0 || aliasA <= 0 || aliasB <= 0 {
			fmt.Fprintln(os.Stderr, "usage: pion-bench cc SECONDS ALIAS_A ALIAS_B")
			os.Exit(2)
		}
		congestion(seconds)
		return
	}
	if len(os.Args) == 5 && os.Args[1] == "via" {
		seconds, err := strconv.ParseFloat(os.Args[2], 64)
		aliasA, _ = strconv.Atoi(os.Args[3])
		aliasB, _ = strconv.Atoi(os.Args[4])
		if err != nil || seconds <= 0 || aliasA <= 0 || aliasB <= 0 {
			fmt.Fprintln(os.Stderr, "usage: pion-bench via SECONDS ALIAS_A ALIAS_B")
			os.Exit(2)
		}
		measure("call_relayed_throughput", seconds)
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pion-bench setup N | throughput SECONDS | memory PAIRS | srtp SECONDS | many N | media SECONDS")
		os.Exit(2)
	}
	value, err := strconv.ParseFloat(os.Args[2], 64)
	if err != nil || value <= 0 {
		fmt.Fprintln(os.Stderr, "the second argument is a positive number")
		os.Exit(2)
	}
	fmt.Printf("{\"context\":{\"program\":\"pion-bench\",\"stack\":\"Pion WebRTC v3 (Debian)\",\"go\":%q}}\n", runtime.Version())
	switch os.Args[1] {
	case "setup":
		setup(int(value))
	case "throughput":
		throughput(value)
	case "memory":
		memory(int(value))
	case "srtp":
		srtpRates(value)
	case "many":
		many(int(value))
	case "media":
		mediaCall(value)
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", os.Args[1])
		os.Exit(2)
	}
}
