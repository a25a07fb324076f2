package schema

import "time"

// Ping reply statuses (PingReply.Status).
const (
	PingStatusReply   = "reply"   // an echo reply
	PingStatusTimeout = "timeout" // iputils -O "no answer yet", BSD "Request timeout", Windows "Request timed out."
	PingStatusDup     = "dup"     // a second answer to a seq of the session, marked (DUP!) or not
	PingStatusError   = "error"   // an ICMP error ("From ip ... Destination Host Unreachable"), a ping: stderr line or a Windows failure ("General failure.")
	pingStatuses      = "reply/timeout/dup/error"
)

// PingReply is one probe outcome line of a ping session: a reply, a
// duplicate, a timeout report or an error. Rows are partitioned by the host
// ping ran on and the line's time.
type PingReply struct {
	Host     string     `parquet:"host,dict,zstd" json:"host" doc:"host ping ran on (--host)"`
	Target   string     `parquet:"target,dict,zstd" json:"target" doc:"destination as named in the PING (Windows: Pinging) banner (its address when the banner names none, the first reply's address when there is no banner)"`
	TargetIP *string    `parquet:"target_ip,optional,dict,zstd" json:"target_ip" doc:"destination address from the banner's parentheses (macOS PING6: the address after -->; Windows: the brackets)"`
	From     *string    `parquet:"from,optional,dict,zstd" json:"from" doc:"address the reply or ICMP error came from (the address in parentheses for the name form); null for timeouts and stderr lines"`
	Seq      *int64     `parquet:"seq,optional,zstd" json:"seq" doc:"icmp_seq / seq as printed (iputils counts from 1 and wraps at 65536, BusyBox and BSD count from 0); Windows prints none: the line's 0-based order among the session's probe lines (one a probe); null for stderr lines and BSD errors that print none"`
	Time     *time.Time `parquet:"time,optional,timestamp(microsecond),zstd" json:"time" doc:"the -D [epoch] prefix of the line; without it --start + (seq - first seq)·--interval when --start is given (per session, seq wraps unwrapped), else null"`
	TTL      *int32     `parquet:"ttl,optional,delta,zstd" json:"ttl" doc:"ttl= (IPv4) or hlim= (macOS ping6) of the reply"`
	RTTMs    *float64   `parquet:"rtt_ms,optional,dict,zstd" json:"rtt_ms" unit:"ms" doc:"time= round-trip time (Windows: whole milliseconds); null when ping prints none (timeouts, errors, truncated or small replies, Windows time<1ms)"`
	Status   string     `parquet:"status,dict,zstd" json:"status" doc:"reply, timeout (iputils -O no answer yet, BSD Request timeout, Windows Request timed out.), dup (a second answer to a seq of the session: (DUP!), or unmarked as macOS prints a broadcast's) or error (ICMP error line, ping: stderr line in a session, Windows failure)"`
	Error    *string    `parquet:"error,optional,zstd" json:"error" doc:"error text: the ICMP error (Destination Host Unreachable; BSD: one of the messages its pr_icmph prints; Windows: its message as printed, Destination host unreachable.), the whole stderr line (ping: sendmsg: ...; Windows General failure.), or a flag on a reply (BAD CHECKSUM!, DIFFERENT ADDRESS!, truncated; time<1ms: a Windows reply under a millisecond, rtt_ms null)"`
	Bytes    *int32     `parquet:"bytes,optional,delta,zstd" json:"bytes" unit:"bytes" doc:"the N of N bytes from: ICMP bytes received (Windows: bytes=, the echo data, + 8 for the ICMP header)"`
}

func (*PingReply) TableName() string { return "ping_reply" }

// Partition places the row by the host ping ran on and the line's time.
func (r *PingReply) Partition() (string, time.Time) {
	if r.Time == nil {
		return r.Host, time.Time{}
	}
	return r.Host, *r.Time
}

// PingSummary is the statistics block ping prints at the end of a session
// (the packets transmitted line and the rtt / round-trip line after it;
// Windows also mid-session, on Ctrl-Break). A session without it has no
// summary row: its counts are unknown.
type PingSummary struct {
	Host        string     `parquet:"host,dict,zstd" json:"host" doc:"host ping ran on (--host)"`
	Target      string     `parquet:"target,dict,zstd" json:"target" doc:"destination as named in the PING (Windows: Pinging) banner"`
	TargetIP    *string    `parquet:"target_ip,optional,dict,zstd" json:"target_ip" doc:"destination address from the banner's parentheses (Windows: brackets)"`
	Time        *time.Time `parquet:"time,optional,timestamp(microsecond),zstd" json:"time" doc:"time of the session's last timed line (no time of its own is printed); null when the session has none"`
	Transmitted int64      `parquet:"transmitted,zstd" json:"transmitted" unit:"packets" doc:"N packets transmitted (Windows: Sent = N)"`
	Received    int64      `parquet:"received,zstd" json:"received" unit:"packets" doc:"M received (duplicates not included; Windows: Received = M, which counts ICMP error replies)"`
	Duplicates  int64      `parquet:"duplicates,zstd" json:"duplicates" unit:"packets" doc:"+K duplicates (0 when not printed)"`
	Corrupted   int64      `parquet:"corrupted,zstd" json:"corrupted" unit:"packets" doc:"+C corrupted: replies with a bad checksum (0 when not printed)"`
	Errors      int64      `parquet:"errors,zstd" json:"errors" unit:"packets" doc:"+E errors: ICMP errors and local send errors (0 when not printed)"`
	LossPct     *float64   `parquet:"loss_pct,optional,zstd" json:"loss_pct" unit:"%" doc:"X% packet loss as printed ((transmitted-received)/transmitted·100); null when 0 packets were transmitted"`
	TimeMs      *int64     `parquet:"time_ms,optional,zstd" json:"time_ms" unit:"ms" doc:"time Tms: iputils' session duration; null for BusyBox, BSD and Windows"`
	RTTMinMs    *float64   `parquet:"rtt_min_ms,optional,zstd" json:"rtt_min_ms" unit:"ms" doc:"min of the rtt line (Windows: Minimum, whole milliseconds); null when there is no rtt line (100 % loss)"`
	RTTAvgMs    *float64   `parquet:"rtt_avg_ms,optional,zstd" json:"rtt_avg_ms" unit:"ms" doc:"avg of the rtt line"`
	RTTMaxMs    *float64   `parquet:"rtt_max_ms,optional,zstd" json:"rtt_max_ms" unit:"ms" doc:"max of the rtt line"`
	RTTMdevMs   *float64   `parquet:"rtt_mdev_ms,optional,zstd" json:"rtt_mdev_ms" unit:"ms" doc:"mdev (iputils) or stddev/std-dev (BSD, macOS); null for BusyBox and Windows, which print none"`
	Pipe        *int64     `parquet:"pipe,optional,zstd" json:"pipe" unit:"packets" doc:"pipe N: most probes in flight at once, printed when above 1"`
	IPGMs       *float64   `parquet:"ipg_ms,optional,zstd" json:"ipg_ms" unit:"ms" doc:"ipg of ipg/ewma: mean inter-packet gap (flood, adaptive or -i 0 runs)"`
	EWMAMs      *float64   `parquet:"ewma_ms,optional,zstd" json:"ewma_ms" unit:"ms" doc:"ewma of ipg/ewma: exponentially weighted moving average of the rtt"`
}

func (*PingSummary) TableName() string { return "ping_summary" }

// Partition places the row by the host ping ran on and the session's last time.
func (r *PingSummary) Partition() (string, time.Time) {
	if r.Time == nil {
		return r.Host, time.Time{}
	}
	return r.Host, *r.Time
}

var (
	_ = Register[PingReply]("One line per ping probe outcome (" + pingStatuses + "), from iputils, BusyBox, FreeBSD, macOS and Windows ping output.")
	_ = Register[PingSummary]("One row per ping session's statistics (packets transmitted line and rtt line; Windows: Packets and Minimum lines, each Ctrl-Break block a row).")
)
