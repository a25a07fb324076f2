package ping

import (
	"bytes"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/schema"
)

// Windows ping (ping.exe, English messages) prints
//
//	Pinging google.com [216.58.196.238] with 32 bytes of data:
//	Reply from 216.58.196.238: bytes=32 time=87ms TTL=51
//	Reply from 10.0.0.1: bytes=32 time<1ms TTL=128
//	Reply from ::1: time<1ms                       (IPv6: no bytes=, no TTL=)
//	Request timed out.
//	Reply from 10.0.0.254: Destination host unreachable.
//	General failure.
//
//	Ping statistics for 216.58.196.238:
//	    Packets: Sent = 10, Received = 10, Lost = 0 (0% loss),
//	Approximate round trip times in milli-seconds:
//	    Minimum = 56ms, Maximum = 194ms, Average = 107ms
//	Control-C
//	^C
//
// read into the same rows as the other pings, with these choices:
//
//   - Windows prints no icmp_seq; it sends one probe at a time and prints
//     one line per probe (a reply, a timeout or an error), so a row's seq is
//     its 0-based order among those lines in the session (counted from the
//     Pinging banner), and --start + seq·--interval gives its time.
//   - "time<1ms" is an upper bound, not a value: rtt_ms is null and error
//     holds "time<1ms" (a flag, as for BAD CHECKSUM!; status stays reply).
//   - bytes= is the echo data size; the bytes column is the ICMP size, as
//     "64 bytes from" is in iputils and BSD: bytes= + 8 (the ICMP header).
//   - "Reply from X: <message>" is an ICMP error from X (status error, the
//     message as printed); a message line alone ("General failure.",
//     "PING: transmit failed. General failure.") is an error without an
//     address. Windows counts those "replies" in Received: the summary
//     stores what it printed.
//   - The statistics make a summary row (Lost is checked to be Sent −
//     Received; loss_pct as printed, an integer), the round-trip line its
//     min/avg/max (whole milliseconds as printed; no mdev). Ctrl-Break
//     (ping -t) prints the statistics mid-session: each block is a row.
//     "Ping statistics for X:" with no Packets line after it (a capture cut
//     there) gives no summary: the counts are unknown.
//   - "Control-C", "^C" and "Control-Break" are structure. "Ping request
//     could not find host X. ..." is handled as ping's stderr lines are.
//
// Localised messages (a German "Antwort von") are not recognised.

// winState is the Windows part of a session.
type winState struct {
	seq int64 // the next probe's 0-based order in the session
}

// winMessages are the ICMP errors and failures Windows ping prints, after
// "Reply from X: " or alone.
var winMessages = map[string]bool{
	"Destination host unreachable.":             true,
	"Destination net unreachable.":              true,
	"Destination protocol unreachable.":         true,
	"Destination port unreachable.":             true,
	"Destination specified is invalid.":         true,
	"Packet needs to be fragmented but DF set.": true,
	"TTL expired in transit.":                   true,
	"TTL expired during reassembly.":            true,
	"Source quench received.":                   true,
	"Bad route specified.":                      true,
	"Bad destination.":                          true,
	"Parameter problem.":                        true,
	"Hardware error.":                           true,
	"General failure.":                          true,
}

// isWinFatal matches what Windows ping prints when it cannot start, the
// equivalent of a "ping: ..." stderr line.
func isWinFatal(t []byte) bool {
	return hasPrefix(t, "Ping request could not find host ")
}

// winOther handles the Windows lines that are not replies (t trimmed); ok
// is false for a line that is none of them.
func (p *Parser) winOther(t []byte) (k kind, col int, err error, ok bool) {
	switch {
	case hasPrefix(t, "Pinging "):
		if err := p.parseWinBanner(t); err != nil {
			return 0, 1, err, true
		}
		return kindStructure, 0, nil, true
	case string(t) == "Request timed out.":
		p.resetRow(schema.PingStatusTimeout, nil)
		k, col, err := p.winProbe(p.newCell())
		return k, col, err, true
	case hasPrefix(t, "PING: transmit failed. ") && winMessages[string(t[len("PING: transmit failed. "):])],
		winMessages[string(t)]:
		p.resetRow(schema.PingStatusError, nil)
		s := string(t)
		p.reply.Error = &s
		k, col, err := p.winProbe(p.newCell())
		return k, col, err, true
	case hasPrefix(t, "Ping statistics for ") && t[len(t)-1] == ':',
		string(t) == "Control-C", string(t) == "^C", string(t) == "Control-Break":
		return kindStructure, 0, nil, true
	case hasPrefix(t, "Packets: Sent = "):
		col, err := p.parseWinPackets(t)
		if err != nil {
			return 0, col, err, true
		}
		return kindData, 0, nil, true
	case string(t) == winRTTHeader:
		if p.sum == nil {
			return 0, 1, parse.Errorf(parse.ErrSyntax, "round trip times without a Packets: Sent = line before them"), true
		}
		return kindStructure, 0, nil, true
	case hasPrefix(t, "Minimum = "):
		if p.sum == nil {
			return 0, 1, parse.Errorf(parse.ErrSyntax, "Minimum/Maximum/Average without a Packets: Sent = line before them"), true
		}
		if col, err := p.parseWinRTT(t); err != nil {
			return 0, col, err, true
		}
		return kindSummaryEnd, 0, nil, true
	}
	return 0, 0, nil, false
}

const winRTTHeader = "Approximate round trip times in milli-seconds:"

// isWinSummaryTail matches the lines that continue Windows statistics.
func isWinSummaryTail(t []byte) bool {
	return string(t) == winRTTHeader || hasPrefix(t, "Minimum = ")
}

// parseWinBanner reads "Pinging NAME [IP] [from SRC ]with N bytes of
// data:" (NAME alone when it is the address) and starts a session.
func (p *Parser) parseWinBanner(t []byte) error {
	rest, ok := bytes.CutSuffix(t[len("Pinging "):], []byte(" bytes of data:"))
	k := bytes.Index(rest, []byte(" with "))
	if !ok || k <= 0 {
		return parse.Errorf(parse.ErrSyntax, "not a Windows ping banner: want Pinging HOST [ADDRESS] with N bytes of data:")
	}
	if _, e, ok := parseUint(rest, k+len(" with ")); !ok || e != len(rest) {
		return parse.Errorf(parse.ErrSyntax, "not a Windows ping banner: want Pinging HOST [ADDRESS] with N bytes of data:")
	}
	dst := rest[:k]
	if f := bytes.Index(dst, []byte(" from ")); f > 0 {
		dst = dst[:f] // -S: "[ADDRESS] from SRC"
	}
	name, ip := dst, dst
	if b := bytes.Index(dst, []byte(" [")); b > 0 && dst[len(dst)-1] == ']' {
		name, ip = dst[:b], dst[b+2:len(dst)-1]
	}
	if len(name) == 0 || len(ip) == 0 || bytes.IndexByte(ip, ' ') >= 0 {
		return parse.Errorf(parse.ErrSyntax, "Windows ping banner without a destination")
	}
	p.newSession()
	p.target = string(name)
	s := string(ip)
	if s == p.target {
		s = p.target
	}
	p.targetIP = &s
	return nil
}

// parseWinReply parses "Reply from ADDR: bytes=N time=Tms TTL=L" (time<1ms;
// IPv6 prints only time) or "Reply from ADDR: MESSAGE"; j is the index
// after "Reply from ".
func (p *Parser) parseWinReply(b []byte, j int) (kind, int, error) {
	e := bytes.Index(b[j:], []byte(": "))
	if e <= 0 {
		return 0, j + 1, parse.Errorf(parse.ErrSyntax, "want ADDRESS: after Reply from")
	}
	a := p.intern(b[j : j+e])
	if !p.banner && p.target == "" {
		p.target, p.targetIP = a.name, a.ip
	}
	i := j + e + 2
	if msg := trimSpace(b[i:]); winMessages[string(msg)] {
		p.resetRow(schema.PingStatusError, a.ip)
		s := string(msg)
		p.reply.Error = &s
		return p.winProbe(p.newCell())
	}
	p.resetRow(schema.PingStatusReply, a.ip)
	c := p.newCell()
	for i < len(b) {
		switch {
		case b[i] == ' ':
			i++
			continue
		case hasPrefixAt(b, i, "bytes=") > 0 && p.reply.Bytes == nil:
			k := i + len("bytes=")
			v, n, ok := parseUint(b, k)
			if !ok || v > 1<<31-1-8 {
				return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad bytes= value")
			}
			c.bytes = int32(v) + 8 // the echo data; ICMP adds its 8-byte header
			p.reply.Bytes = &c.bytes
			i = n
		case hasPrefixAt(b, i, "time<1ms") > 0 && p.reply.RTTMs == nil && p.reply.Error == nil:
			s := "time<1ms"
			p.reply.Error = &s
			i += len("time<1ms")
		case hasPrefixAt(b, i, "time=") > 0 && p.reply.RTTMs == nil && p.reply.Error == nil:
			k := i + len("time=")
			v, n, ok := parseUint(b, k)
			if !ok || hasPrefixAt(b, n, "ms") < 0 {
				return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad time= value: want whole milliseconds, time=Nms")
			}
			c.rtt = float64(v)
			p.reply.RTTMs = &c.rtt
			i = n + len("ms")
		case hasPrefixAt(b, i, "TTL=") > 0 && p.reply.TTL == nil:
			k := i + len("TTL=")
			v, n, ok := parseUint(b, k)
			if !ok || v > 255 {
				return 0, k + 1, parse.Errorf(parse.ErrSyntax, "bad TTL= value")
			}
			c.ttl = int32(v)
			p.reply.TTL = &c.ttl
			i = n
		default:
			return 0, i + 1, parse.Errorf(parse.ErrSyntax, "unexpected text in a Windows reply: not a field or message ping prints")
		}
		if i < len(b) && b[i] != ' ' {
			return 0, i + 1, parse.Errorf(parse.ErrSyntax, "unexpected text in a Windows reply: not a field or message ping prints")
		}
	}
	if p.reply.RTTMs == nil && p.reply.Error == nil {
		return 0, len(b), parse.Errorf(parse.ErrSyntax, "Windows reply without time=")
	}
	return p.winProbe(c)
}

// winProbe numbers the probe outcome in p.reply (a cell of its own, c)
// with its 0-based order in the session and times it.
func (p *Parser) winProbe(c *cell) (kind, int, error) {
	c.seq = p.win.seq
	p.win.seq++
	p.reply.Seq = &c.seq
	return p.setTime(p.unwrap(c.seq), true, time.Time{}, false)
}

// parseWinPackets opens a summary from "Packets: Sent = N, Received = M,
// Lost = K (P% loss)," (t trimmed), checking K = N − M.
func (p *Parser) parseWinPackets(t []byte) (int, error) {
	var v [4]int64
	if col, ok := winNumbers(t, v[:], "% loss),", "Packets: Sent = ", ", Received = ", ", Lost = ", " ("); !ok {
		return col, parse.Errorf(parse.ErrSyntax, "want Packets: Sent = N, Received = M, Lost = K (P%% loss),")
	}
	if v[0]-v[1] != v[2] {
		return 1, parse.Errorf(parse.ErrSyntax, "Lost = %d is not Sent - Received = %d: the statistics are damaged", v[2], v[0]-v[1])
	}
	loss := float64(v[3])
	p.sum = &schema.PingSummary{Host: p.opt.Host, Target: p.target, TargetIP: p.targetIP, Time: ownTime(p.last),
		Transmitted: v[0], Received: v[1], LossPct: &loss}
	return 0, nil
}

// parseWinRTT fills the open summary from "Minimum = Ams, Maximum = Bms,
// Average = Cms" (t trimmed).
func (p *Parser) parseWinRTT(t []byte) (int, error) {
	var v [3]int64
	if col, ok := winNumbers(t, v[:], "ms", "Minimum = ", "ms, Maximum = ", "ms, Average = "); !ok {
		return col, parse.Errorf(parse.ErrSyntax, "want Minimum = Ams, Maximum = Bms, Average = Cms")
	}
	f := [3]float64{float64(v[0]), float64(v[1]), float64(v[2])}
	p.sum.RTTMinMs, p.sum.RTTMaxMs, p.sum.RTTAvgMs = &f[0], &f[1], &f[2]
	return 0, nil
}

// winNumbers reads t as pre[0] v[0] pre[1] v[1] ... end, v being whole
// numbers; on a mismatch it returns the 1-based column of the fault.
func winNumbers(t []byte, v []int64, end string, pre ...string) (int, bool) {
	i := 0
	for n, s := range pre {
		k := hasPrefixAt(t, i, s)
		if k < 0 {
			return i + 1, false
		}
		x, e, ok := parseUint(t, k)
		if !ok {
			return k + 1, false
		}
		v[n], i = x, e
	}
	if string(t[i:]) != end {
		return i + 1, false
	}
	return 0, true
}
