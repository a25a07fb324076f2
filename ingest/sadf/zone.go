package sadf

import (
	"slices"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
)

// wallClock reads the local wall-clock times of sadf -T and -t (sadf -d's
// "2019-04-18 15:20:19 CET", sadf -j's "tz": "CET" or "utc": 0) in the
// user's --tz.
//
// The wall clock is local time, daylight saving included; the zone label
// is not to be trusted for more than naming the zone: sysstat 12.6 and 12.7
// print the zone's standard abbreviation all year (sysstat's own
// expected.sadf-d-t-tz prints "15:20:19 CET" for 13:20:19 UTC on
// 2019-04-18, when Paris was on CEST). So:
//
//   - a label is accepted when --tz uses that abbreviation in the record's
//     year, as standard or as daylight time (CET and CEST for Europe/Paris,
//     EST and EDT for America/New_York), and the wall clock is read in
//     --tz; any other label is an ErrNoTime error asking for the right
//     --tz;
//   - a wall clock that does not exist in --tz (skipped when clocks go
//     forward) is an error: sadf cannot have printed it;
//   - a wall clock that occurs twice (the hour repeated when clocks go
//     back) is an error unless the label is the daylight abbreviation, which
//     names the first of the two: a standard label may be sysstat's
//     all-year label, so it cannot tell them apart.
type wallClock struct {
	loc    *time.Location
	labels map[labelKey]bool // (label, year) → --tz uses label that year
}

type labelKey struct {
	label string
	year  int
}

func newWallClock(loc *time.Location) wallClock {
	return wallClock{loc: loc}
}

// read returns the instant of wall clock y-mo-d h:mi:s in --tz, checking
// label ("" when the stamp has none). stamp is the text for messages.
func (w *wallClock) read(y, mo, d, h, mi, s int, label, stamp string) (time.Time, error) {
	loc := w.loc
	if label != "" && !w.uses(label, y) {
		return time.Time{}, parse.Errorf(parse.ErrNoTime, "timestamp %q is labelled %s, which %s (--tz, UTC when unset) does not use in %d: pass --tz with the Area/City name of the zone sadf printed in (Europe/Paris for CET, America/New_York for EST)",
			stamp, label, loc, y)
	}
	wall := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	// The instants whose wall clock in loc is wall: wall minus an offset
	// loc has around then, when that offset is the one in force there.
	var found [2]time.Time
	n := 0
	for _, probe := range [...]time.Duration{-36 * time.Hour, 0, 36 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		t := wall.Add(-time.Duration(off) * time.Second)
		if _, o := t.In(loc).Zone(); o != off {
			continue
		}
		if n > 0 && found[0].Equal(t) || n > 1 && found[1].Equal(t) {
			continue
		}
		if n < 2 {
			found[n] = t
		}
		n++
	}
	switch {
	case n == 0:
		return time.Time{}, parse.Errorf(parse.ErrNoTime, "timestamp %q does not exist in %s (the clocks skip it when daylight saving starts): the file was not printed in this zone; pass --tz with the zone it was printed in", stamp, loc)
	case n == 1:
		return found[0], nil
	}
	first, second := found[0], found[1]
	if second.Before(first) {
		first, second = second, first
	}
	if label != "" {
		nf, _ := first.In(loc).Zone()
		ns, _ := second.In(loc).Zone()
		if label == nf && label != ns && first.In(loc).IsDST() {
			return first, nil
		}
	}
	return time.Time{}, parse.Errorf(parse.ErrNoTime, "timestamp %q occurs twice in %s (%s and %s UTC: the clocks go back that night) and sadf's zone label cannot tell which: print the file with sadf -U (epoch seconds) or without -T/-t (UTC)",
		stamp, loc, first.UTC().Format(time.TimeOnly), second.UTC().Format(time.TimeOnly))
}

// uses reports whether --tz names its time label at some point of year y,
// as standard or as daylight time.
func (w *wallClock) uses(label string, y int) bool {
	k := labelKey{label, y}
	if v, ok := w.labels[k]; ok {
		return v
	}
	found := false
	for _, name := range zoneNames(w.loc, y) {
		if name == label {
			found = true
			break
		}
	}
	if w.labels == nil {
		w.labels = map[labelKey]bool{}
	}
	if len(w.labels) < 1024 {
		w.labels[k] = found
	}
	return found
}

// zoneNames lists the abbreviations loc uses during year y (sampled daily:
// zones change at most a few times a year, and for weeks at a time).
func zoneNames(loc *time.Location, y int) []string {
	var names []string
	for t := time.Date(y, 1, 1, 12, 0, 0, 0, time.UTC); t.Year() == y; t = t.Add(24 * time.Hour) {
		n, _ := t.In(loc).Zone()
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}
