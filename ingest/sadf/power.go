package sadf

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sar"
	"github.com/migreplay/migreplay/schema"
)

// Battery and USB devices (sar -m BAT, -m USB) go to sar_battery and
// sar_usb: their status, manufacturer and product are text.
//
// sadf -d (sysstat 12.6.1) prints them as
//
//	# hostname;interval;timestamp;BAT;%cap;cap/min;status
//	SYSSTAT.TEST;31;2019-04-18 13:20:19 UTC;0;100;0.00;Full
//	# hostname;interval;timestamp;manufact;product;BUS;idvendor;idprod;maxpower
//	SYSSTAT.TEST;31;2019-04-18 13:20:29 UTC;1;3f0;862;196;HP;HP Wireless Keyboard Mouse Kit
//
// (sysstat's expected.sadf-d): the USB header lists manufact and product
// first, its rows print them last, as sar does (BUS idvendor idprod
// maxpower manufact product); rows are read in the order sar and the rows
// agree on, whichever of the two headers comes. sadf -j prints
// "power-management": {"battery": [{"number", "percent-capacity",
// "variation", "status"}], "usb-devices": [{"bus_number", "idvendor",
// "idprod", "maxpower", "manufact", "product"}]}.

// usbHeaders are the two orders a USB header may list its columns in.
var usbHeaders = [...]string{
	"manufact;product;BUS;idvendor;idprod;maxpower", // sadf -d 12.6.1
	"BUS;idvendor;idprod;maxpower;manufact;product", // the rows' (and sar's) order
}

const batteryHeader = "BAT;%cap;cap/min;status"

// checkText refuses a string that is not valid UTF-8: sadf prints
// non-printable bytes as '.', so such bytes mean an input that is not
// sadf's, and Parquet strings must be UTF-8.
func checkText(what string) func(string) error {
	return func(s string) error {
		if utf8.ValidString(s) {
			return nil
		}
		return parse.Errorf(parse.ErrSyntax, "%s %q is not valid UTF-8 (sadf prints non-printable bytes as '.'): not stored", what, s)
	}
}

// hexID checks a USB vendor or product ID as sadf prints it (%x).
func hexID(what string) func(string) error {
	return func(s string) error {
		if s == "" || len(s) > 4 || strings.Trim(s, "0123456789abcdef") != "" {
			return parse.Errorf(parse.ErrSyntax, "USB %s %q is not a hexadecimal ID of at most 4 digits", what, s)
		}
		return nil
	}
}

func newBattery(host string, t time.Time, bat int64, capPct, capMin float64, status string) (*schema.SarBattery, error) {
	st, ok := sar.BatteryStatus([]byte(status))
	if !ok {
		return nil, parse.Errorf(parse.ErrSyntax, "battery status %q is none of sysstat's Unknown, Charging, Discharging, NotCharging, Full", status)
	}
	if bat < 0 || bat > 1<<31-1 {
		return nil, parse.Errorf(parse.ErrSyntax, "battery number %d out of range", bat)
	}
	return &schema.SarBattery{Host: host, Time: t, Battery: int32(bat), CapPct: &capPct, CapPerMin: &capMin, Status: st}, nil
}

func newUSB(host string, t time.Time, bus int64, vendor, product string, maxPower int64, manufact, name string) (*schema.SarUSB, error) {
	if bus < 0 || bus > 1<<31-1 {
		return nil, parse.Errorf(parse.ErrSyntax, "USB bus %d out of range", bus)
	}
	for _, c := range [...]struct {
		check func(string) error
		v     string
	}{{hexID("idvendor"), vendor}, {hexID("idprod"), product}, {checkText("USB manufacturer"), manufact}, {checkText("USB product"), name}} {
		if err := c.check(c.v); err != nil {
			return nil, err
		}
	}
	return &schema.SarUSB{Host: host, Time: t, Bus: int32(bus), IDVendor: vendor, IDProduct: product,
		MaxPowerMA: &maxPower, Manufacturer: manufact, Product: name}, nil
}

// powerRow reads one sadf -d battery or USB row (vals: the fields after the
// timestamp). It returns the field index of an error.
func (p *CSVParser) powerRow(t time.Time, vals [][]byte, interval int64) (kind lineKind, field int, err error) {
	num := func(i int) (float64, error) { return p.Sink.Dec.Float(vals[i]) }
	integer := func(i int) (int64, error) {
		v, ok := atoi(vals[i])
		if !ok {
			return 0, parse.Errorf(parse.ErrSyntax, "%q is not an integer", parse.Raw(vals[i]))
		}
		return v, nil
	}
	switch p.power {
	case powerBattery:
		if len(vals) != 4 {
			return structure, min(len(vals), 4) - 1, parse.Errorf(parse.ErrSyntax, "%d fields, the battery header has 4", len(vals))
		}
		bat, err := integer(0)
		if err != nil {
			return structure, 0, err
		}
		capPct, err := num(1)
		if err != nil {
			return structure, 1, err
		}
		capMin, err := num(2)
		if err != nil {
			return structure, 2, err
		}
		if interval == 0 && bat == 0 && capPct == 0 && capMin == 0 {
			return skipped, 0, nil
		}
		r, err := newBattery(p.Sink.Host, t, bat, capPct, capMin, string(vals[3]))
		if err != nil {
			return structure, 3, err
		}
		p.Sink.AddRow(r)
	case powerUSB:
		if len(vals) != 6 {
			return structure, min(len(vals), 6) - 1, parse.Errorf(parse.ErrSyntax, "%d fields, the USB header has 6 (product names holding ';' cannot be told apart)", len(vals))
		}
		bus, err := integer(0)
		if err != nil {
			return structure, 0, err
		}
		power, err := integer(3)
		if err != nil {
			return structure, 3, err
		}
		// Check each text field first, to point at the one that is wrong.
		for i, c := range [...]func(string) error{1: hexID("idvendor"), 2: hexID("idprod"), 4: checkText("USB manufacturer"), 5: checkText("USB product")} {
			if c != nil {
				if err := c(string(vals[i])); err != nil {
					return structure, i, err
				}
			}
		}
		r, err := newUSB(p.Sink.Host, t, bus, string(vals[1]), string(vals[2]), power, string(vals[4]), string(vals[5]))
		if err != nil {
			return structure, 0, err
		}
		p.Sink.AddRow(r)
	default:
		panic("sadf: powerRow without a power header")
	}
	return data, 0, nil
}

// powerJSON reads sadf -j's "battery" and "usb-devices" arrays.
func (p *JSONParser) powerJSON(t time.Time, path string, n *node) error {
	if n.kind != 'a' {
		return parse.Errorf(parse.ErrSyntax, "%s: %s, want an array", path, n.describe())
	}
	for _, o := range n.kids {
		if o.kind != 'o' || !slices.Equal(o.keys, powerKeys[path]) {
			return parse.Errorf(parse.ErrSyntax, "%s: %s, want an object with keys %v", path, o.describe(), powerKeys[path])
		}
		f := fields{o: o, path: path}
		var r schema.Row
		var err error
		if path == "power-management.battery" {
			bat, capPct, capMin, st := f.integer("number"), f.number("percent-capacity"), f.number("variation"), f.text("status")
			if err = f.err; err == nil {
				r, err = newBattery(p.sink.Host, t, bat, capPct, capMin, st)
			}
		} else {
			bus, vendor, prod, power, manufact, name := f.integer("bus_number"), f.text("idvendor"), f.text("idprod"), f.integer("maxpower"), f.text("manufact"), f.text("product")
			if err = f.err; err == nil {
				r, err = newUSB(p.sink.Host, t, bus, vendor, prod, power, manufact, name)
			}
		}
		if err != nil {
			return err
		}
		p.sink.AddRow(r)
	}
	return nil
}

var powerKeys = map[string][]string{
	"power-management.battery":     {"number", "percent-capacity", "variation", "status"},
	"power-management.usb-devices": {"bus_number", "idvendor", "idprod", "maxpower", "manufact", "product"},
}

// fields reads typed values from one sadf -j object; the first error
// sticks.
type fields struct {
	o    *node
	path string
	err  error
}

func (f *fields) get(key string, kind byte) *node {
	if f.err != nil {
		return nil
	}
	c := f.o.get(key)
	if c == nil || c.kind != kind {
		what := map[byte]string{'n': "a number", 's': "a string"}[kind]
		got := "missing"
		if c != nil {
			got = c.describe()
		}
		f.err = parse.Errorf(parse.ErrSyntax, "%s: %s is %s, want %s", f.path, key, got, what)
		return nil
	}
	return c
}

func (f *fields) number(key string) float64 {
	c := f.get(key, 'n')
	if c == nil {
		return 0
	}
	v, err := c.float()
	if err != nil {
		f.err = fmt.Errorf("%s: %s: %w", f.path, key, err)
	}
	return v
}

func (f *fields) integer(key string) int64 {
	v := f.number(key)
	if f.err == nil && (v != float64(int64(v)) || v > 1<<53 || v < -1<<53) {
		f.err = parse.Errorf(parse.ErrSyntax, "%s: %s is %v, want an integer", f.path, key, v)
	}
	return int64(v)
}

func (f *fields) text(key string) string {
	c := f.get(key, 's')
	if c == nil {
		return ""
	}
	return c.str
}
