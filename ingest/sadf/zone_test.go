package sadf_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/parse/parsetest"
	"github.com/migreplay/migreplay/schema"
)

// Hand-written fixtures in sadf's formats (sysstat 12.6.1: sadf -d prints
// "host;interval;timestamp;values" with the zone label after -T/-t, as in
// sysstat's expected.sadf-d-t-tz; sadf -j prints "utc": 0 for local time
// and sysstat ≥ 12.7.1 "tz": "<label>"): one summer and one winter record,
// printed in UTC and as local wall clock labelled with the zone's
// standard abbreviation all year, as sysstat does. Each local form read
// with its --tz must give the UTC form's rows.
const zoneHeader = "# hostname;interval;timestamp;CPU;%user;%nice;%system;%iowait;%steal;%idle\n"

func zoneCSV(stamps ...string) string {
	var b strings.Builder
	b.WriteString(zoneHeader)
	for i, s := range stamps {
		fmt.Fprintf(&b, "vm;31;%s;-1;2.15;12.50;2.36;0.12;0.00;%d.00\n", s, 80+i)
	}
	return b.String()
}

func zoneJSON(stamps ...[3]string) string {
	var b strings.Builder
	b.WriteString("{\"sysstat\": {\n\t\"hosts\": [\n\t\t{\n\t\t\t\"nodename\": \"vm\",\n\t\t\t\"statistics\": [\n")
	for i, s := range stamps {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "\t\t\t\t{\n\t\t\t\t\t\"timestamp\": {\"date\": %q, \"time\": %q, %s, \"interval\": 31},\n", s[0], s[1], s[2])
		fmt.Fprintf(&b, "\t\t\t\t\t\"cpu-load\": [{\"cpu\": \"all\", \"user\": 2.15, \"nice\": 12.50, \"system\": 2.36, \"iowait\": 0.12, \"steal\": 0.00, \"idle\": %d.00}]\n\t\t\t\t}", 80+i)
	}
	b.WriteString("\n\t\t\t]\n\t\t}\n\t]\n}}\n")
	return b.String()
}

func cpuTimes(t *testing.T, in string, tz string) ([]string, error) {
	t.Helper()
	opt := parse.Options{File: "zone"}
	if tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Skipf("no zoneinfo: %v", err)
		}
		opt.Location = loc
	}
	res := parsetest.Drain(newParser, []byte(in), opt)
	var out []string
	for _, r := range res.Rows {
		var c schema.SarCPU
		if b, err := json.Marshal(r); err != nil || json.Unmarshal(b, &c) != nil || r.TableName() != "sar_cpu" {
			t.Fatalf("row %v: %v", r, err)
		}
		out = append(out, fmt.Sprintf("%s idle=%v", c.Time.Format(time.RFC3339), *c.Idle))
	}
	if res.Err == nil {
		parsetest.CheckBalanced(t, res.Stats)
	}
	return out, res.Err
}

func TestZoneLabels(t *testing.T) {
	// 2019-04-18: Paris on CEST (UTC+2), New York on EDT (UTC-4);
	// 2019-01-18: CET (UTC+1), EST (UTC-5).
	utc, err := cpuTimes(t, zoneCSV("2019-04-18 13:20:19 UTC", "2019-01-18 13:20:19 UTC"), "")
	if err != nil || len(utc) != 2 {
		t.Fatalf("UTC form: %v %v", utc, err)
	}
	cases := []struct {
		name, tz, in string
	}{
		{"sadf -dt Paris", "Europe/Paris", zoneCSV("2019-04-18 15:20:19 CET", "2019-01-18 14:20:19 CET")},
		{"sadf -dt Paris daylight label", "Europe/Paris", zoneCSV("2019-04-18 15:20:19 CEST", "2019-01-18 14:20:19 CET")},
		{"sadf -dT New York", "America/New_York", zoneCSV("2019-04-18 09:20:19 EST", "2019-01-18 08:20:19 EST")},
		{"sadf -dT no label", "America/New_York", zoneCSV("2019-04-18 09:20:19", "2019-01-18 08:20:19")},
		{"sadf -j utc 0", "Europe/Paris", zoneJSON([3]string{"2019-04-18", "15:20:19", `"utc": 0`}, [3]string{"2019-01-18", "14:20:19", `"utc": 0`})},
		{"sadf -j tz label", "America/New_York", zoneJSON([3]string{"2019-04-18", "09:20:19", `"tz": "EST"`}, [3]string{"2019-01-18", "08:20:19", `"tz": "EST"`})},
		{"sadf -j utc 1", "", zoneJSON([3]string{"2019-04-18", "13:20:19", `"utc": 1`}, [3]string{"2019-01-18", "13:20:19", `"utc": 1`})},
	}
	for _, c := range cases {
		got, err := cpuTimes(t, c.in, c.tz)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(utc) {
			t.Errorf("%s: %v, UTC form %v", c.name, got, utc)
		}
	}
}

func TestZoneLabelRefused(t *testing.T) {
	cases := []struct {
		name, tz, in, want string
	}{
		{"label without --tz", "", zoneCSV("2019-04-18 15:20:19 CET"), "zone:2:7: no time for this record: timestamp \"2019-04-18 15:20:19 CET\" is labelled CET, which UTC"},
		{"label of another zone", "Europe/Paris", zoneCSV("2019-04-18 09:20:19 EST"), "labelled EST, which Europe/Paris"},
		{"json label of another zone", "Europe/Paris", zoneJSON([3]string{"2019-04-18", "09:20:19", `"tz": "EST"`}), "labelled EST, which Europe/Paris"},
		// 2019-03-31 02:00-03:00 does not exist in Paris (CET → CEST).
		{"skipped hour", "Europe/Paris", zoneCSV("2019-03-31 02:30:00 CET"), "does not exist in Europe/Paris"},
		// 2019-10-27 02:30 happens twice (00:30 and 01:30 UTC): sysstat's
		// all-year CET label cannot pick one.
		{"repeated hour", "Europe/Paris", zoneCSV("2019-10-27 02:30:00 CET"), "occurs twice in Europe/Paris (00:30:00 and 01:30:00 UTC"},
		{"repeated hour unlabelled", "Europe/Paris", zoneCSV("2019-10-27 02:30:00"), "occurs twice"},
	}
	for _, c := range cases {
		_, err := cpuTimes(t, c.in, c.tz)
		var pe *parse.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, parse.ErrNoTime) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
	// The daylight label names the first 02:30 (CEST, 00:30 UTC).
	got, err := cpuTimes(t, zoneCSV("2019-10-27 02:30:00 CEST"), "Europe/Paris")
	if err != nil || len(got) != 1 || !strings.HasPrefix(got[0], "2019-10-27T00:30:00Z") {
		t.Errorf("CEST at the repeated hour: %v %v", got, err)
	}
}
