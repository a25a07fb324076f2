package sar

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/migreplay/migreplay/ingest/parse"
)

// banner is sar's first line: "Linux <release> (<host>) \t<date> \t_<arch>_\t(<N> CPU)".
type banner struct {
	host    string
	release string
	date    date
	cpus    int // -1 when absent
}

// date is the banner date, read in the order its layout implies.
type date struct {
	y, m, d int
	layout  string // e.g. "MM/DD/YY", "DD.MM.YYYY", "YYYY-MM-DD"
	// ambiguous: a slash date with a four-digit year and both leading
	// fields ≤ 12. en_US (MM/DD/YYYY) prints 12-hour times, fr_FR, es_ES,
	// it_IT (DD/MM/YYYY) 24-hour ones: the first time line decides.
	ambiguous bool
	a, b      int // the two leading fields, as printed, while ambiguous
}

// parseBanner reads a banner line; ok is false when line is not one.
// A banner whose date sar's parser cannot read is an ErrLocale error.
func parseBanner(line []byte) (bn banner, ok bool, err error) {
	rest, found := bytes.CutPrefix(line, []byte("Linux "))
	if !found {
		return bn, false, nil
	}
	open := bytes.Index(rest, []byte(" ("))
	if open < 1 {
		return bn, false, nil
	}
	close := bytes.IndexByte(rest[open:], ')')
	if close < 0 {
		return bn, false, nil
	}
	close += open
	bn.release = string(bytes.TrimSpace(rest[:open]))
	bn.host = string(rest[open+2 : close])
	if bn.host == "" || bytes.ContainsAny([]byte(bn.release), " \t") {
		return bn, false, nil
	}
	toks := bytes.Fields(rest[close+1:])
	if len(toks) == 0 {
		return bn, false, nil
	}
	bn.cpus = -1
	for i := 0; i+1 < len(toks); i++ {
		if len(toks[i]) > 1 && toks[i][0] == '(' && string(toks[i+1]) == "CPU)" {
			if n, err := strconv.Atoi(string(toks[i][1:])); err == nil {
				bn.cpus = n
			}
		}
	}
	if !utf8.ValidString(bn.host) {
		return bn, true, fmt.Errorf("%w: host name %q in the banner is not valid UTF-8", parse.ErrSyntax, bn.host)
	}
	bn.date, err = parseDate(toks[0])
	if err != nil {
		return bn, true, err
	}
	return bn, true, nil
}

// parseDate reads the banner date, sar's strftime("%x") in the locale it
// ran in, or %Y-%m-%d with S_TIME_FORMAT=ISO:
//
//	MM/DD/YY     C, POSIX (a first field > 12 means DD/MM/YY: en_GB, en_AU)
//	MM/DD/YYYY   en_US; DD/MM/YYYY fr_FR, es_ES, it_IT (see date.ambiguous)
//	YYYY-MM-DD   ISO (S_TIME_FORMAT=ISO), sv_SE, en_CA
//	YYYY/MM/DD   zh_TW-style numeric dates
//	DD.MM.YYYY   de_DE, ru_RU, pl_PL (also DD.MM.YY)
//	DD-MM-YYYY   nl_NL, da_DK (also DD-MM-YY)
//
// C's MM/DD/YY and en_GB's DD/MM/YY cannot be told apart when the day is
// ≤ 12: such dates are read as C's. Any other form (ja_JP's 2026年11月21日,
// names of months) is refused with ErrLocale.
func parseDate(tok []byte) (date, error) {
	var f [3]int
	var w [3]int
	sep := byte(0)
	k := 0
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= '0' && c <= '9' {
			if w[k] == 4 {
				return date{}, badDate(tok)
			}
			f[k] = f[k]*10 + int(c-'0')
			w[k]++
			continue
		}
		if (c == '/' || c == '-' || c == '.') && (sep == 0 || c == sep) && k < 2 && w[k] > 0 {
			sep = c
			k++
			continue
		}
		return date{}, badDate(tok)
	}
	if k != 2 || w[2] == 0 {
		return date{}, badDate(tok)
	}
	var d date
	switch {
	case w[0] == 4 && w[1] <= 2 && w[2] <= 2 && (sep == '-' || sep == '/'):
		d = date{y: f[0], m: f[1], d: f[2], layout: "YYYY" + string(sep) + "MM" + string(sep) + "DD"}
	case w[0] <= 2 && w[1] <= 2 && (w[2] == 2 || w[2] == 4):
		yl := "YY"
		y := f[2]
		if w[2] == 2 {
			// POSIX %y: 69-99 are 1969-1999, 00-68 are 2000-2068.
			if y >= 69 {
				y += 1900
			} else {
				y += 2000
			}
		} else {
			yl = "YYYY"
		}
		s := string(sep)
		switch sep {
		case '.', '-':
			d = date{y: y, m: f[1], d: f[0], layout: "DD" + s + "MM" + s + yl}
		case '/':
			switch {
			case f[0] > 12:
				d = date{y: y, m: f[1], d: f[0], layout: "DD/MM/" + yl}
			case w[2] == 4 && f[1] <= 12:
				d = date{y: y, m: f[0], d: f[1], layout: "MM/DD/YYYY", ambiguous: true, a: f[0], b: f[1]}
			default:
				d = date{y: y, m: f[0], d: f[1], layout: "MM/DD/" + yl}
			}
		}
	default:
		return date{}, badDate(tok)
	}
	if d.m < 1 || d.m > 12 || d.d < 1 || d.d > daysIn(d.y, d.m) {
		return date{}, badDate(tok)
	}
	return d, nil
}

// resolve settles an ambiguous date once the clock is known.
func (d *date) resolve(clock12 bool) {
	if !d.ambiguous {
		return
	}
	d.ambiguous = false
	if clock12 {
		d.m, d.d, d.layout = d.a, d.b, "MM/DD/YYYY"
	} else {
		d.m, d.d, d.layout = d.b, d.a, "DD/MM/YYYY"
	}
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func badDate(tok []byte) error {
	return fmt.Errorf("%w: banner date %q is in a form this parser does not read; rerun sar with LC_ALL=C (or S_TIME_FORMAT=ISO)",
		parse.ErrLocale, parse.Raw(tok))
}
