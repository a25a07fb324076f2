package replay

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/schema"
)

func i64(v int64) *int64     { return &v }
func f64(v float64) *float64 { return &v }
func str(s string) *string   { return &s }

// Polls are split into migrations by host, by completion and where the
// clock restarts; the failed migration is skipped with its reason.
func TestSplitQMP(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	at := func(s float64) *time.Time { v := t0.Add(time.Duration(s * 1e9)); return &v }
	p := func(host string, s float64, status string, ms int64) schema.QMPMigrate {
		return schema.QMPMigrate{Host: host, Time: at(s), Status: str(status), TotalTimeMs: i64(ms)}
	}
	polls := []schema.QMPMigrate{
		p("a", 0, "setup", 0), p("a", 1, "active", 1000), p("a", 2, "completed", 1900), p("a", 3, "completed", 1900),
		p("b", 0.5, "active", 500), p("b", 1.5, "active", 1500),
		p("a", 10, "active", 200), p("a", 11, "failed", 1200), // no setup poll: the terminal status splits
		p("b", 2.5, "active", 100), // clock restarts
		// a cancelled migration: QEMU then answers {"status": "cancelled"}
		// alone until the next one (datasets/qemu above-1g-noac)
		p("c", 0, "active", 1000), p("c", 1, "cancelling", 2000), {Host: "c", Time: at(2), Status: str("cancelled")},
		{Host: "c", Time: at(3), Status: str("cancelled")}, p("c", 4, "active", 100),
	}
	migs := SplitQMP(polls)
	var got []string
	for _, m := range migs {
		got = append(got, fmt.Sprintf("%s:%d:%s", m.Host, len(m.Polls), m.Status()))
	}
	if want := "a:4:completed a:2:failed b:2:active b:1:active c:4:cancelled c:1:active"; strings.Join(got, " ") != want {
		t.Errorf("migrations %v, want %s", got, want)
	}
	if _, err := MeasuredFromQMP(migs[1], QMPOptions{}); !errors.Is(err, ErrCalibrate) || !strings.Contains(err.Error(), `"failed"`) {
		t.Errorf("failed migration: %v", err)
	}
}

// A 1 GiB guest's polls: setup, three active polls at 800, 900 and 700
// Mbit/s (median 800 Mbit/s = 1e8 B/s), the first pass ending at the
// third (dirty-sync-count 2, 131,072 of 262,144 pages duplicate: zero share
// 0.5), then completion. Without ram.mbps the rate is ram.transferred ÷
// (total-time − setup-time) = 5e8 B ÷ 5 s; while the first pass runs, the
// zero share is not measured.
func TestFiguresFromQMP(t *testing.T) {
	st := func(s string) *string { return &s }
	mk := func(status string, mbps float64, sync, dup, transferred, totalMs int64) schema.QMPMigrate {
		p := schema.QMPMigrate{Host: "kvm", Status: st(status), RAMTotal: i64(1 << 30), RAMPageSize: i64(4096), SetupTimeMs: i64(1000),
			RAMDirtySyncCount: i64(sync), RAMDuplicate: i64(dup), RAMTransferred: i64(transferred), TotalTimeMs: i64(totalMs)}
		if mbps > 0 {
			p.RAMMbps = f64(mbps)
		}
		return p
	}
	polls := []schema.QMPMigrate{mk("setup", 0, 1, 0, 0, 0), mk("active", 800, 1, 40000, 1e8, 2000), mk("active", 900, 1, 90000, 2e8, 3000),
		mk("active", 700, 2, 131072, 3e8, 4000), mk("completed", 0, 3, 131072, 5e8, 6000)}
	f := FiguresFromQMP(QMPMigration{Host: "kvm", Polls: polls})
	if f.Memory != 1<<30 || f.PageSize != 4096 || f.Rate != 1e8 || !f.HasZeroShare || f.ZeroShare != 0.5 {
		t.Errorf("%+v", f)
	}
	for i := range polls {
		polls[i].RAMMbps = nil
	}
	f = FiguresFromQMP(QMPMigration{Host: "kvm", Polls: polls[:3]})
	if f.Rate != 2e8/2 || f.HasZeroShare {
		t.Errorf("first pass, no mbps: %+v", f)
	}
	f = FiguresFromQMP(QMPMigration{Host: "kvm", Polls: polls})
	if f.Rate != 5e8/5 || f.ZeroShare != 0.5 {
		t.Errorf("no mbps: %+v", f)
	}
	// LineRate inverts the framing: its goodput at MTU 1500 is the rate
	if r := LineRate(1e8, 1500); math.Abs(linkGoodput(r, 1500)-1e8) > 1e-6 {
		t.Errorf("LineRate %g: goodput %g", r, linkGoodput(r, 1500))
	}
}
