package report

import (
	"fmt"

	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"

	"github.com/migreplay/migreplay/fit"
)

// section is one part of the report.
type section struct {
	ID, Title string
	Intro     string
	Note      string // what is missing, when something is
	Tables    []htmlTable
	Figures   []figure
}

type htmlTable struct {
	Caption string
	Head    []string
	Rows    [][]string
}

func secs(us float64) float64 { return us / 1e6 }

func clock(us float64) string { return time.UnixMicro(int64(us)).UTC().Format("2006-01-02 15:04:05") }

// decisions: the policies side by side, the decisions, and each host's CPU
// with the points where a policy decided.
func decisions(c Config) (section, error) {
	s := section{ID: "decisions", Title: "Migration decisions",
		Intro: "Each registered policy at every decision point (xentop frame) of every host, once per overload episode: the guest chosen, where to, and why (analysis_decision)."}
	parts, err := read(c.Lakes, "analysis_decision", "", []string{"host", "time", "policy", "trigger", "action", "domain", "dest", "pred_total_s", "score", "score_name", "host_cpu_pct", "host_cpus"})
	if err != nil || len(parts) == 0 {
		s.Note = "No analysis_decision table in the lakes given (migreplay analyze --out writes it)."
		return s, err
	}
	type row struct {
		host, policy, trigger, action, vm, dest, score string
		t, cpu, cpus                                   float64
		pred                                           string
	}
	var rows []row
	for _, p := range parts {
		k := columns(p.t, []string{"time", "pred_total_s", "score", "host_cpu_pct", "host_cpus"}, []string{"host", "policy", "trigger", "action", "domain", "dest", "score_name"})
		for i := 0; i < k.n; i++ {
			r := row{host: k.s["host"][i], policy: k.s["policy"][i], trigger: k.s["trigger"][i], action: k.s["action"][i], vm: k.s["domain"][i],
				dest: "unknown", t: k.f["time"][i], cpu: k.f["host_cpu_pct"][i], cpus: k.f["host_cpus"][i], pred: "-",
				score: fmt.Sprintf("%s %.4g", k.s["score_name"][i], k.f["score"][i])}
			if k.so["dest"][i] {
				r.dest = k.s["dest"][i]
			}
			if r.action == "grant-memory" {
				r.dest = "(memory grant)"
			}
			if k.fo["pred_total_s"][i] {
				r.pred = fmt.Sprintf("%.1f", k.f["pred_total_s"][i])
			}
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(a, b int) bool {
		x, y := rows[a], rows[b]
		if x.host != y.host {
			return x.host < y.host
		}
		if x.t != y.t {
			return x.t < y.t
		}
		return x.policy < y.policy
	})
	// side by side: host × policy
	type key struct{ host, policy string }
	sum := map[key][]row{}
	var keys []key
	for _, r := range rows {
		k := key{r.host, r.policy}
		if _, ok := sum[k]; !ok {
			keys = append(keys, k)
		}
		sum[k] = append(sum[k], r)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].host != keys[b].host {
			return keys[a].host < keys[b].host
		}
		return keys[a].policy < keys[b].policy
	})
	side := htmlTable{Caption: "Side by side: what each policy chose on each host", Head: []string{"host", "policy", "decisions", "first", "first trigger", "chosen (guest → destination × times)"}}
	for _, k := range keys {
		rs := sum[k]
		count := map[string]int{}
		var order []string
		for _, r := range rs {
			c := r.vm + " → " + r.dest
			if count[c] == 0 {
				order = append(order, c)
			}
			count[c]++
		}
		sort.SliceStable(order, func(a, b int) bool { return count[order[a]] > count[order[b]] })
		var ch []string
		for _, o := range order {
			ch = append(ch, fmt.Sprintf("%s ×%d", o, count[o]))
		}
		side.Rows = append(side.Rows, []string{k.host, k.policy, fmt.Sprint(len(rs)), clock(rs[0].t), rs[0].trigger, strings.Join(ch, ", ")})
	}
	all := htmlTable{Caption: fmt.Sprintf("Every decision (%d)", len(rows)), Head: []string{"time (UTC)", "host", "policy", "trigger", "action", "guest", "destination", "predicted time s", "score"}}
	for i, r := range rows {
		if i == c.MaxRows {
			all.Caption += fmt.Sprintf("; the first %d shown, analysis_decision has all", c.MaxRows)
			break
		}
		all.Rows = append(all.Rows, []string{clock(r.t), r.host, r.policy, r.trigger, r.action, r.vm, r.dest, r.pred, r.score})
	}
	s.Tables = []htmlTable{side, all}
	// each host's CPU with the decisions
	var hosts []string
	cpus := map[string]float64{}
	for _, r := range rows {
		if _, ok := cpus[r.host]; !ok {
			hosts = append(hosts, r.host)
		}
		cpus[r.host] = r.cpus
	}
	for _, h := range hosts {
		if len(s.Figures) == c.MaxFigures {
			break
		}
		xp, err := read(c.Lakes, "xentop_domain", h, []string{"time", "cpu_pct"})
		if err != nil || len(xp) == 0 {
			continue
		}
		tot := map[float64]float64{}
		for _, p := range xp {
			k := columns(p.t, []string{"time", "cpu_pct"}, nil)
			for i := 0; i < k.n; i++ {
				tot[k.f["time"][i]] += k.f["cpu_pct"][i]
			}
		}
		var ts []float64
		for t := range tot {
			ts = append(ts, t)
		}
		sort.Float64s(ts)
		var line plotter.XYs
		for _, t := range ts[1:] { // the first frame's CPU(%) is 0
			line = append(line, plotter.XY{X: secs(t), Y: tot[t] / cpus[h]})
		}
		p := newPlot(fmt.Sprintf("%s: host CPU and the decisions", h), "time (UTC)", fmt.Sprintf("host CPU (%% of %g CPUs)", cpus[h]))
		p.X.Tick.Marker = clockTicks
		l, err := lineOf(line, 0, false)
		if err != nil {
			return s, err
		}
		l.Color = plotutil.DarkColors[6]
		p.Add(l)
		p.Legend.Add("host CPU", l)
		x0, x1 := line[0].X, line[len(line)-1].X
		for i, thr := range []float64{65, 85} {
			tl, _ := hline(thr, x0, x1, plotutil.Color(i+4))
			p.Add(tl)
			p.Legend.Add(fmt.Sprintf("%.0f %% threshold", thr), tl)
		}
		var policies []string
		byPol := map[string]plotter.XYs{}
		for _, r := range rows {
			if r.host != h {
				continue
			}
			if _, ok := byPol[r.policy]; !ok {
				policies = append(policies, r.policy)
			}
			byPol[r.policy] = append(byPol[r.policy], plotter.XY{X: secs(r.t), Y: r.cpu})
		}
		sort.Strings(policies)
		for i, pol := range policies {
			sc, err := scatterOf(byPol[pol], i)
			if err != nil {
				return s, err
			}
			sc.Radius = 4
			p.Add(sc)
			p.Legend.Add(pol, sc)
		}
		f, err := render("decisions-"+h, fmt.Sprintf("Host %s: its CPU (every domain's CPU(%%), Domain-0 included, over %g CPUs) at each xentop frame, the thresholds of seed 002 (65 %%) and seed 003 (85 %%), and a marker where each policy decided.", h, cpus[h]), p)
		if err != nil {
			return s, err
		}
		s.Figures = append(s.Figures, f)
	}
	return s, nil
}

// reproduce: seed 004's published R² against ours, seed 001's published
// times against packet size with our power fits.
func reproduce(c Config) (section, error) {
	s := section{ID: "reproduce", Title: "Published against ours (seeds 004 and 001)",
		Intro: "migreplay reproduce: seed 004's power-law R² per experiment against the R² of the same fit on our replayed times; seed 001's published times against packet size with the power curves we fit to them."}
	parts, err := read(c.Lakes, "reproduce", "", []string{"study", "experiment", "source", "published_r2", "r2_log"})
	if err != nil {
		return s, err
	}
	var pts plotter.XYs
	var labels []string
	for _, p := range parts {
		k := columns(p.t, []string{"published_r2", "r2_log"}, []string{"study", "experiment", "source"})
		for i := 0; i < k.n; i++ {
			if k.s["study"][i] == "seed004" && k.s["source"][i] == "replay" && k.fo["published_r2"][i] && k.fo["r2_log"][i] {
				pts = append(pts, plotter.XY{X: 100 * k.f["published_r2"][i], Y: 100 * k.f["r2_log"][i]})
				labels = append(labels, k.s["experiment"][i])
			}
		}
	}
	if len(pts) > 0 {
		p := newPlot("Seed 004: R² of the power law, published against ours", "published R² (%)", "our R², log space (%)")
		p.Legend.Top, p.Legend.Left = false, false
		lo, hi := yRange([]float64{pts[0].X, pts[0].Y})
		for _, q := range pts {
			lo, hi = math.Min(lo, math.Min(q.X, q.Y)), math.Max(hi, math.Max(q.X, q.Y))
		}
		lo, hi = math.Floor(lo-1), math.Min(100, math.Ceil(hi+1))
		d, _ := lineOf(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}}, 1, true)
		p.Add(d)
		p.Legend.Add("ours = published", d)
		sc, err := scatterOf(pts, 0)
		if err != nil {
			return s, err
		}
		p.Add(sc)
		p.Legend.Add("experiment", sc)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
		if err == nil {
			p.Add(lb)
		}
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
		f, err := render("seed004-r2", "Each point is one experiment of seed 004 with a published R² (its Table or text); on the dashed line ours equals the paper's.", p)
		if err != nil {
			return s, err
		}
		s.Figures = append(s.Figures, f)
	}
	pp, err := read(c.Lakes, "reproduce_point", "", []string{"study", "experiment", "source", "x", "y", "y_fit"})
	if err != nil {
		return s, err
	}
	for _, metric := range []string{"total_migration_time", "downtime"} {
		type ser struct {
			pts, fit plotter.XYs
		}
		by := map[string]*ser{}
		var names []string
		for _, p := range pp {
			k := columns(p.t, []string{"x", "y", "y_fit"}, []string{"study", "experiment", "source"})
			for i := 0; i < k.n; i++ {
				hv, m, ok := strings.Cut(k.s["experiment"][i], "/")
				if k.s["study"][i] != "seed001" || k.s["source"][i] != "published" || !ok || m != metric {
					continue
				}
				e := by[hv]
				if e == nil {
					e = &ser{}
					by[hv] = e
					names = append(names, hv)
				}
				e.pts = append(e.pts, plotter.XY{X: k.f["x"][i], Y: k.f["y"][i]})
				if k.fo["y_fit"][i] {
					e.fit = append(e.fit, plotter.XY{X: k.f["x"][i], Y: k.f["y_fit"][i]})
				}
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		unit := "total migration time (s)"
		if metric == "downtime" {
			unit = "downtime (s)"
		}
		p := newPlot("Seed 001: "+strings.ReplaceAll(metric, "_", " ")+" against packet size", "packet size (bytes, log scale)", unit)
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		for i, n := range names {
			e := by[n]
			sc, err := scatterOf(e.pts, i)
			if err != nil {
				return s, err
			}
			p.Add(sc)
			p.Legend.Add(n+" (published)", sc)
			if len(e.fit) > 1 {
				sort.Slice(e.fit, func(a, b int) bool { return e.fit[a].X < e.fit[b].X })
				l, err := lineOf(e.fit, i, true)
				if err != nil {
					return s, err
				}
				p.Add(l)
			}
		}
		f, err := render("seed001-"+metric, "Markers: the paper's values (its tables, datasets/seeds/seed001_packet_size.csv); dashed: the power curve y = a·x^b we fit to them (fit.FitPower), through the same packet sizes.", p)
		if err != nil {
			return s, err
		}
		s.Figures = append(s.Figures, f)
	}
	if len(s.Figures) == 0 {
		s.Note = "No reproduce or reproduce_point table in the lakes given (migreplay reproduce --out writes them)."
	}
	return s, nil
}

// readable names of the columns the fits use, with their units.
var colLabel = map[string]string{
	"mem_mib": "guest memory (MiB)", "duration_s": "migration time (s)", "cpu_cap": "Dom0 CPU cap (share of one CPU)",
	"total_time_s": "total migration time (s)", "downtime_s": "downtime (s)", "mem_k": "guest memory (KiB)",
}

func labelOf(col string) string {
	if l, ok := colLabel[col]; ok {
		return l
	}
	return col
}

// fits: every fits table's selected fits, redrawn from their source points.
func fits(c Config) (section, error) {
	s := section{ID: "fits", Title: "Fitted curves per class",
		Intro: "Every selected fit of migreplay fit (the fits tables), refitted from its source points: the points, the curve and its 95 % confidence band, with R² on y per class."}
	parts, err := read(c.Lakes, "fits", "", []string{"class", "model", "x_col", "y_col", "source", "selected"})
	if err != nil || len(parts) == 0 {
		s.Note = "No fits table in the lakes given (migreplay fit --out writes it)."
		return s, err
	}
	type group struct {
		source, x, y string
		classes      []string
		models       map[string]string
	}
	var groups []*group
	idx := map[string]*group{}
	for _, p := range parts {
		k := columns(p.t, []string{"selected"}, []string{"class", "model", "x_col", "y_col", "source"})
		for i := 0; i < k.n; i++ {
			if k.f["selected"][i] == 0 {
				continue
			}
			key := k.s["source"][i] + "\x00" + k.s["x_col"][i] + "\x00" + k.s["y_col"][i]
			g := idx[key]
			if g == nil {
				g = &group{source: k.s["source"][i], x: k.s["x_col"][i], y: k.s["y_col"][i], models: map[string]string{}}
				idx[key] = g
				groups = append(groups, g)
			}
			g.classes = append(g.classes, k.s["class"][i])
			g.models[k.s["class"][i]] = k.s["model"][i]
		}
	}
	for gi, g := range groups {
		if len(s.Figures) == c.MaxFigures {
			break
		}
		src := g.source
		if _, err := os.Stat(src); err != nil {
			s.Note += fmt.Sprintf("The source of the fits of %s against %s, %s, is not found from here. ", g.y, g.x, src)
			continue
		}
		x, y, cls, byCol, err := fitPoints(src, g.x, g.y, g.classes)
		if err != nil {
			return s, err
		}
		sort.Strings(g.classes)
		title := fmt.Sprintf("%s against %s", labelOf(g.y), labelOf(g.x))
		if byCol != "" {
			title += " per " + byCol
		}
		p := newPlot(title, labelOf(g.x), labelOf(g.y))
		logY(p, y)
		_, isLog := p.Y.Scale.(plot.LogScale)
		for ci, cl := range g.classes {
			var cx, cy []float64
			for i := range x {
				if cls[i] == cl {
					cx, cy = append(cx, x[i]), append(cy, y[i])
				}
			}
			m, err := fit.ParseModel(g.models[cl])
			if err != nil || len(cx) == 0 {
				continue
			}
			r, err := fit.Fit(m, cx, cy, nil)
			if err != nil {
				continue
			}
			lo, hi := yRange(cx)
			var gx, gy, glo, ghi []float64
			for j := 0; j <= 60; j++ {
				xv := lo + (hi-lo)*float64(j)/60
				pr, err := r.Predict(xv)
				if err != nil || math.IsNaN(pr.ConfLo) || math.IsNaN(pr.ConfHi) || isLog && pr.ConfLo <= 0 {
					continue
				}
				gx, gy, glo, ghi = append(gx, xv), append(gy, pr.Y), append(glo, pr.ConfLo), append(ghi, pr.ConfHi)
			}
			if len(gx) > 1 {
				b, err := band(gx, glo, ghi, ci)
				if err != nil {
					return s, err
				}
				p.Add(b)
				var cur plotter.XYs
				for j := range gx {
					cur = append(cur, plotter.XY{X: gx[j], Y: gy[j]})
				}
				l, err := lineOf(cur, ci, false)
				if err != nil {
					return s, err
				}
				p.Add(l)
			}
			var pts plotter.XYs
			for j := range cx {
				pts = append(pts, plotter.XY{X: cx[j], Y: cy[j]})
			}
			sc, err := scatterOf(pts, ci)
			if err != nil {
				return s, err
			}
			p.Add(sc)
			name := cl
			if name == "" {
				name = "all"
			}
			p.Legend.Add(fmt.Sprintf("%s: %s, R² y %.3f, n %d", name, m, r.R2Y, r.N), sc)
		}
		f, err := render(fmt.Sprintf("fit-%d", gi), fmt.Sprintf("Points from %s; lines: the selected model of each class refitted on them (fit.Fit); bands: 95 %% confidence interval of the fitted mean.", src), p)
		if err != nil {
			return s, err
		}
		s.Figures = append(s.Figures, f)
	}
	return s, nil
}

// fitPoints reads x and y of a fit's source and the class of each row: the
// fits table does not name the column the fit grouped by, so the first of
// the usual ones (class, policy, experiment, host, domain) whose values
// hold every class fitted is taken; classes of one empty name need none.
func fitPoints(src, xc, yc string, classes []string) (x, y []float64, cls []string, by string, err error) {
	cands := []string{"class", "policy", "experiment", "host", "domain"}
	t, err := readSource(src, append([]string{xc, yc}, cands...))
	if err != nil {
		return nil, nil, nil, "", err
	}
	xv, xo, err := t.Floats(xc)
	if err != nil {
		return nil, nil, nil, "", err
	}
	yv, yo, err := t.Floats(yc)
	if err != nil {
		return nil, nil, nil, "", err
	}
	col := make([]string, t.Rows)
	if !(len(classes) == 1 && classes[0] == "") {
		for _, c := range cands {
			v, _, err := t.Strings(c)
			if err != nil {
				continue
			}
			have := map[string]bool{}
			for _, s := range v {
				have[s] = true
			}
			all := true
			for _, k := range classes {
				all = all && have[k]
			}
			if all {
				col, by = v, c
				break
			}
		}
	}
	for i := 0; i < t.Rows; i++ {
		if xo[i] && yo[i] {
			x, y, cls = append(x, xv[i]), append(y, yv[i]), append(cls, col[i])
		}
	}
	return x, y, cls, by, nil
}

// roundsOf: replay rounds per policy.
func rounds(c Config) (section, error) {
	s := section{ID: "rounds", Title: "Replay rounds per policy",
		Intro: "Pages still to send at the start of each pre-copy round (replay_round), one line per stop policy: for a sweep, the run of each policy at the largest CPU cap; else every run."}
	for _, r := range c.Lakes {
		runs, err := read([]string{r}, "replay_run", "", []string{"run_id", "policy", "cpu_cap", "sweep_index", "page_size_bytes", "memory_bytes"})
		if err != nil {
			return s, err
		}
		rds, err := read([]string{r}, "replay_round", "", []string{"run_id", "round", "pages_pending"})
		if err != nil {
			return s, err
		}
		if len(runs) == 0 || len(rds) == 0 {
			continue
		}
		k := columns(runs[0].t, []string{"cpu_cap", "sweep_index", "page_size_bytes"}, []string{"run_id", "policy"})
		type run struct {
			id, policy string
			cap, index float64
			pageSize   float64
			pendingMiB plotter.XYs
		}
		best := map[string]*run{}
		var order []string
		sweep := false
		for i := 0; i < k.n; i++ {
			sweep = sweep || k.f["sweep_index"][i] > 0
		}
		for i := 0; i < k.n; i++ {
			key := k.s["policy"][i]
			if !sweep {
				key += " " + k.s["run_id"][i][:min(6, len(k.s["run_id"][i]))]
			}
			b := best[key]
			if b == nil {
				order = append(order, key)
			}
			if b == nil || k.f["cpu_cap"][i] > b.cap || k.f["cpu_cap"][i] == b.cap && k.f["sweep_index"][i] < b.index {
				best[key] = &run{id: k.s["run_id"][i], policy: key, cap: k.f["cpu_cap"][i], index: k.f["sweep_index"][i], pageSize: k.f["page_size_bytes"][i]}
			}
		}
		byID := map[string]*run{}
		for _, b := range best {
			byID[b.id] = b
		}
		rk := columns(rds[0].t, []string{"round", "pages_pending"}, []string{"run_id"})
		for i := 0; i < rk.n; i++ {
			if b := byID[rk.s["run_id"][i]]; b != nil {
				b.pendingMiB = append(b.pendingMiB, plotter.XY{X: rk.f["round"][i], Y: rk.f["pages_pending"][i] * b.pageSize / (1 << 20)})
			}
		}
		sort.Strings(order)
		p := newPlot("Pre-copy rounds: pages pending per policy", "round", "pending at the round's start (MiB)")
		drawn := 0
		for i, key := range order {
			b := best[key]
			if len(b.pendingMiB) == 0 {
				continue
			}
			sort.Slice(b.pendingMiB, func(a, c int) bool { return b.pendingMiB[a].X < b.pendingMiB[c].X })
			l, err := lineOf(b.pendingMiB, i, false)
			if err != nil {
				return s, err
			}
			sc, _ := scatterOf(b.pendingMiB, i)
			p.Add(l, sc)
			p.Legend.Add(fmt.Sprintf("%s (cap %s, %d rounds)", key, label(b.cap), len(b.pendingMiB)), l, sc)
			drawn++
		}
		if drawn == 0 {
			continue
		}
		f, err := render("rounds-"+fmt.Sprint(len(s.Figures)), "From "+filepath.Join(r, "table=replay_round")+".", p)
		if err != nil {
			return s, err
		}
		s.Figures = append(s.Figures, f)
	}
	if len(s.Figures) == 0 {
		s.Note = "No replay_run and replay_round tables in the lakes given (migreplay replay --out writes them)."
	}
	return s, nil
}

// ping: the RTT around each outage (the longest first), the outage shaded.
func ping(c Config) (section, error) {
	s := section{ID: "ping", Title: "RTT around the outages",
		Intro: "Round-trip times of the ping series around each outage analyze found (analysis_ping_outage), the outage shaded: the downtime a migration causes as seen from the network. The longest outages first."}
	parts, err := read(c.Lakes, "analysis_ping_outage", "", []string{"host", "target", "time", "end", "downtime_ms", "lost"})
	if err != nil || len(parts) == 0 {
		s.Note = "No analysis_ping_outage table in the lakes given (migreplay analyze --out writes it)."
		return s, err
	}
	type outage struct {
		host, target string
		t0, t1, ms   float64
		lost         float64
	}
	var os []outage
	for _, p := range parts {
		k := columns(p.t, []string{"time", "end", "downtime_ms", "lost"}, []string{"host", "target"})
		for i := 0; i < k.n; i++ {
			os = append(os, outage{k.s["host"][i], k.s["target"][i], k.f["time"][i], k.f["end"][i], k.f["downtime_ms"][i], k.f["lost"][i]})
		}
	}
	sort.SliceStable(os, func(a, b int) bool {
		if os[a].ms != os[b].ms {
			return os[a].ms > os[b].ms
		}
		return os[a].t0 < os[b].t0
	})
	for i, o := range os {
		if len(s.Figures) == c.MaxFigures {
			s.Note = fmt.Sprintf("%d more outages are in analysis_ping_outage.", len(os)-i)
			break
		}
		rp, err := read(c.Lakes, "ping_reply", o.host, []string{"target", "time", "rtt_ms"})
		if err != nil {
			return s, err
		}
		pad := math.Max(1e6, (o.t1-o.t0)*2)
		var pts plotter.XYs
		for _, p := range rp {
			k := columns(p.t, []string{"time", "rtt_ms"}, []string{"target"})
			for j := 0; j < k.n; j++ {
				t := k.f["time"][j]
				if k.fo["time"][j] && k.fo["rtt_ms"][j] && k.s["target"][j] == o.target && t >= o.t0-pad && t <= o.t1+pad {
					pts = append(pts, plotter.XY{X: (t - o.t0) / 1e3, Y: k.f["rtt_ms"][j]})
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		sort.Slice(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		var ys []float64
		for _, q := range pts {
			ys = append(ys, q.Y)
		}
		_, hi := yRange(ys)
		p := newPlot(fmt.Sprintf("%s → %s: outage at %s", o.host, o.target, clock(o.t0)), "time from the last reply before the outage (ms)", "RTT (ms)")
		sp, err := span(0, (o.t1-o.t0)/1e3, 0, hi*1.1)
		if err != nil {
			return s, err
		}
		p.Add(sp)
		l, err := lineOf(pts, 0, false)
		if err != nil {
			return s, err
		}
		sc, _ := scatterOf(pts, 0)
		sc.Radius = 2
		p.Add(l, sc)
		p.Legend.Add("reply", l, sc)
		p.Legend.Add(fmt.Sprintf("outage: %.1f ms, %g probes lost", o.ms, o.lost), sp)
		p.Y.Min, p.Y.Max = 0, hi*1.1
		f, err := render(fmt.Sprintf("ping-%d", i), fmt.Sprintf("Downtime %.1f ms between the replies around %g unanswered probes.", o.ms, o.lost), p)
		if err != nil {
			return s, err
		}
		s.Figures = append(s.Figures, f)
	}
	return s, nil
}

// dom0: Domain-0's CPU around each migration (seed 001's timelines), the
// migration window shaded; the receiving host's Domain-0 too when the lake
// has it.
func dom0(c Config) (section, error) {
	s := section{ID: "dom0", Title: "Domain-0 CPU around each migration",
		Intro: "Domain-0's CPU on the sending host (and on the receiving host when the lake has it) from a minute before to two minutes after each migration analyze found in xentop (analysis_migration), the migration shaded, as seed 001 plots its timelines. The longest migrations first."}
	parts, err := read(c.Lakes, "analysis_migration", "", []string{"host", "domain", "time", "end", "duration_s", "peer_host", "class", "mem_mib"})
	if err != nil || len(parts) == 0 {
		s.Note = "No analysis_migration table in the lakes given (migreplay analyze --out writes it)."
		return s, err
	}
	type mig struct {
		host, dom, peer, class string
		t0, t1, dur, mem       float64
	}
	var ms []mig
	for _, p := range parts {
		k := columns(p.t, []string{"time", "end", "duration_s", "mem_mib"}, []string{"host", "domain", "peer_host", "class"})
		for i := 0; i < k.n; i++ {
			ms = append(ms, mig{k.s["host"][i], k.s["domain"][i], k.s["peer_host"][i], k.s["class"][i], k.f["time"][i], k.f["end"][i], k.f["duration_s"][i], k.f["mem_mib"][i]})
		}
	}
	sort.SliceStable(ms, func(a, b int) bool {
		if ms[a].dur != ms[b].dur {
			return ms[a].dur > ms[b].dur
		}
		return ms[a].t0 < ms[b].t0
	})
	for i, m := range ms {
		if len(s.Figures) == c.MaxFigures {
			s.Note = fmt.Sprintf("%d more migrations are in analysis_migration.", len(ms)-i)
			break
		}
		p := newPlot(fmt.Sprintf("%s leaves %s at %s", m.dom, m.host, clock(m.t0)), "time (UTC)", "Domain-0 CPU (% of one CPU)")
		p.X.Tick.Marker = clockTicks
		var all []float64
		drawn := 0
		for hi, h := range []string{m.host, m.peer} {
			if h == "" {
				continue
			}
			xp, err := read(c.Lakes, "xentop_domain", h, []string{"time", "domain", "cpu_pct"})
			if err != nil {
				return s, err
			}
			var pts plotter.XYs
			for _, q := range xp {
				k := columns(q.t, []string{"time", "cpu_pct"}, []string{"domain"})
				for j := 0; j < k.n; j++ {
					t := k.f["time"][j]
					if k.s["domain"][j] == "Domain-0" && t >= m.t0-60e6 && t <= m.t1+120e6 {
						pts = append(pts, plotter.XY{X: secs(t), Y: k.f["cpu_pct"][j]})
						all = append(all, k.f["cpu_pct"][j])
					}
				}
			}
			if len(pts) == 0 {
				continue
			}
			sort.Slice(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
			l, err := lineOf(pts, hi, hi == 1)
			if err != nil {
				return s, err
			}
			p.Add(l)
			role := "sender"
			if hi == 1 {
				role = "receiver"
			} else if m.peer == "" {
				role = "this host"
			}
			p.Legend.Add(fmt.Sprintf("Domain-0 of %s (%s)", h, role), l)
			drawn++
		}
		if drawn == 0 {
			continue
		}
		_, hi := yRange(all)
		sp, err := span(secs(m.t0), secs(m.t1), 0, hi*1.1)
		if err != nil {
			return s, err
		}
		p.Add(sp)
		p.Legend.Add(fmt.Sprintf("migration, %.0f s, %.0f MiB, class %s", m.dur, m.mem, m.class), sp)
		p.Y.Min, p.Y.Max = 0, hi*1.1
		f, err := render(fmt.Sprintf("dom0-%d", i), fmt.Sprintf("%s (%s, %.0f MiB) from %s: its migration window in xentop, shaded.", m.dom, m.class, m.mem, m.host), p)
		if err != nil {
			return s, err
		}
		s.Figures = append(s.Figures, f)
	}
	return s, nil
}
