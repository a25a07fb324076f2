package analysis

import (
	"path/filepath"
	"sort"
	"time"

	"github.com/migreplay/migreplay/schema"
	"github.com/migreplay/migreplay/schema/table"
)

// PingOutages finds, per (host, target) series of the lake's ping_reply
// table, every run of unanswered probes (status timeout or error) that has
// a reply on both sides. Its downtime is the time between those two
// replies: with `ping -D -O -i 0.01` that is the migration's downtime as the
// network saw it, to within one probe interval (TRACES.md). Rows without a
// time (ping without -D and no --start) cannot be placed and are skipped;
// DUP replies neither end nor start an outage.
//
// The table is read one host= partition at a time (outages are per host),
// so memory follows the largest host, not the lake.
func PingOutages(lake string) ([]schema.PingOutage, error) {
	var out []schema.PingOutage
	err := eachHost(filepath.Join(lake, "table=ping_reply"), []string{"host", "target", "seq", "time", "status", "rtt_ms"},
		func(t *table.Columns) error {
			o, err := pingOutages(t)
			out = append(out, o...)
			return err
		})
	return out, err
}

// pingOutages is PingOutages of the rows of t.
func pingOutages(t *table.Columns) ([]schema.PingOutage, error) {
	hosts, _, _ := t.Strings("host")
	targets, _, _ := t.Strings("target")
	status, _, _ := t.Strings("status")
	seq, seqOK, err := t.Floats("seq")
	if err != nil {
		return nil, err
	}
	tm, tmOK, err := t.Floats("time")
	if err != nil {
		return nil, err
	}
	rtt, rttOK, err := t.Floats("rtt_ms")
	if err != nil {
		return nil, err
	}
	type key struct{ host, target string }
	series := map[key][]int{}
	var keys []key
	for i := 0; i < t.Rows; i++ {
		if !tmOK[i] {
			continue
		}
		k := key{hosts[i], targets[i]}
		if _, ok := series[k]; !ok {
			keys = append(keys, k)
		}
		series[k] = append(series[k], i)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].host != keys[b].host {
			return keys[a].host < keys[b].host
		}
		return keys[a].target < keys[b].target
	})
	var out []schema.PingOutage
	for _, k := range keys {
		idx := series[k]
		sort.SliceStable(idx, func(a, b int) bool { return tm[idx[a]] < tm[idx[b]] })
		var replies []int
		for _, i := range idx {
			if status[i] == "reply" {
				replies = append(replies, i)
			}
		}
		var gaps []float64
		for j := 1; j < len(replies); j++ {
			gaps = append(gaps, (tm[replies[j]]-tm[replies[j-1]])/1e3)
		}
		interval := median(gaps)
		rttAround := func(from, to int) *float64 { // median rtt of replies[from:to]
			from, to = max(from, 0), min(to, len(replies))
			var v []float64
			for _, i := range replies[from:to] {
				if rttOK[i] {
					v = append(v, rtt[i])
				}
			}
			if len(v) == 0 {
				return nil
			}
			m := median(v)
			return &m
		}
		lastReply, replyN := -1, -1 // row of the last reply; its index in replies
		var lost []int
		for _, i := range idx {
			switch status[i] {
			case "reply":
				replyN++
				if lastReply >= 0 && len(lost) > 0 {
					o := schema.PingOutage{
						Host: k.host, Target: k.target,
						Time:        micros(tm[lastReply]),
						End:         micros(tm[i]),
						DowntimeMs:  (tm[i] - tm[lastReply]) / 1e3,
						Lost:        int64(len(lost)),
						FirstSeq:    seqOr(seq, seqOK, lost[0]),
						LastSeq:     seqOr(seq, seqOK, lost[len(lost)-1]),
						IntervalMs:  interval,
						RTTBeforeMs: rttAround(replyN-20, replyN),
						RTTAfterMs:  rttAround(replyN, replyN+20),
					}
					out = append(out, o)
				}
				lastReply, lost = i, lost[:0]
			case "timeout", "error":
				lost = append(lost, i)
			}
		}
	}
	return out, nil
}

func seqOr(seq []float64, ok []bool, i int) int64 {
	if !ok[i] {
		return -1
	}
	return int64(seq[i])
}

// micros turns stored timestamp ticks (µs since the epoch) into a time.
func micros(v float64) time.Time { return time.UnixMicro(int64(v)).UTC() }

// median of v (NaN-free); 0 for none. v is not modified.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
