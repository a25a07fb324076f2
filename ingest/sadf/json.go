package sadf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/ingest/sar"
	"github.com/migreplay/migreplay/internal/intern"
	"github.com/migreplay/migreplay/schema"
)

// DetectJSON reports whether head is sadf -j output: a JSON object whose
// first key is "sysstat".
func DetectJSON(head []byte) bool {
	b := bytes.TrimLeft(head, " \t\r\n")
	b, ok := bytes.CutPrefix(b, []byte("{"))
	if !ok {
		return false
	}
	b = bytes.TrimLeft(b, " \t\r\n")
	b, ok = bytes.CutPrefix(b, []byte(`"sysstat"`))
	if !ok {
		return false
	}
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) == 0 || b[0] == ':'
}

// JSONParser reads sadf -j output:
//
//	{"sysstat": {"hosts": [{"nodename": ..., "statistics": [<record>, ...],
//	  "restarts": [{"boot": {...}}, ...], "comments": [{"comment": {...}}, ...]}]}}
//
// It streams: one element of "statistics", "restarts" or "comments" is
// decoded at a time.
//
// A statistics record's "timestamp" gives its time: "utc": 1 (sysstat
// ≤ 12.7.0) or "tz": "UTC" (12.7.1 on) is UTC; "utc": 0 or another "tz" is
// local wall-clock time, read in parse.Options.Location (--tz; UTC when
// unset), a "tz" label checked as sadf -d's (see wallClock). Its
// activities map to the sar tables by name ("cpu-load", "memory", "paging",
// "swap-pages", "network"."net-dev", "network"."net-edev", "disk", "queue")
// and their keys to the columns ("usr" is %usr, "rxkB" is rxkB/s,
// "memused-percent" is %memused); every other activity and key goes to
// sar_other, activity named by its path ("network.net-nfs",
// "psi.psi-cpu"), metric by its key (nested objects joined with '.':
// "io-reads.rtps"), device by its string values (the "swp*" keys of
// "memory" go to activity swap-space, as sar -S prints them apart). A record
// with interval 0 whose numbers are all zero is skipped (sadc's interval-0
// record).
//
// An element with bytes that are not UTF-8 is rejected (sadf prints
// non-printable bytes as '.'; Parquet strings are UTF-8), and so is every
// element of a host whose "nodename" is not UTF-8.
//
// Line accounting: a line that holds part of a statistics, restart or
// comment element that yielded records is data; one that holds part of an
// element that failed (bad timestamp, a string where a number belongs, ...)
// is a reject, one reject per line, each with its own text and the
// element's error; a skipped record's lines are structure and skipped;
// every other line (braces, "hosts", "nodename", ...) is structure. A line
// shared by two elements counts once, as data before reject before
// structure. Invalid JSON stops the parser (strict) or makes every line
// from the failing element to the end a reject (lenient).
type JSONParser struct {
	opt   parse.Options
	sink  sar.Sink
	stats parse.Stats
	err   error
	done  bool
	rec   schema.Row

	lr    *lineReader
	dec   *jsontext.Decoder
	tree  tree
	stack []frame
	key   string // the key whose value is next, in an object frame

	slots [sar.NumTables]slotCache // by table (Other has no slots)

	clock wallClock
	skip  map[string]bool // activity paths not to read (Skip)

	hostErr error // the host's nodename is unusable (nodename)

	// The host's "file-date" and "file-utc-time" (when its sa file began),
	// and the instant they make, parsed at the first record.
	fileDate, fileTime string
	start              time.Time

	accounted int // lines 1..accounted are counted
	lastKind  lineKind
	lastRej   bool
}

type frame struct {
	array bool
	name  string // key of this container in its parent
	// wantKey: in an object, the next token is a key.
	wantKey bool
}

// NewJSONParser returns a parser reading sadf -j output from r.
func NewJSONParser(r io.Reader, opt parse.Options) *JSONParser {
	lr := &lineReader{r: r, bufLine: 1}
	// jsontext (the streaming layer of encoding/json/v2) reads each
	// element in one pass, where encoding/json's Decoder scanned it twice
	// (once to find its end, once to copy it into a RawMessage). Like
	// encoding/json, it accepts repeated keys and bytes that are not UTF-8
	// (a comment's text), so that such bytes cost one element, not the
	// rest of the file: element rejects the one that holds them.
	dec := jsontext.NewDecoder(lr, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	p := &JSONParser{opt: opt, lr: lr, dec: dec}
	p.sink.Reuse = opt.Reuse
	p.sink.Host = opt.Host
	return p
}

// Skip makes the parser ignore the activities at paths ("queue",
// "network.net-dev"): sadf -j prints zeros for an activity whose format it
// does not know (sadf -H marks it "[Unknown format]") where sar prints
// nothing; the sa file reader skips those.
func (p *JSONParser) Skip(paths ...string) {
	if p.skip == nil {
		p.skip = map[string]bool{}
	}
	for _, a := range paths {
		p.skip[a] = true
	}
}

// Record is the current record: a pointer to one of schema's sar row types,
// valid until the next call to Next.
func (p *JSONParser) Record() schema.Row { return p.rec }

// Err is the error that stopped the parser, nil at a clean end.
func (p *JSONParser) Err() error { return p.err }

// Stats is the line accounting so far; Lines is complete at the end.
func (p *JSONParser) Stats() parse.Stats { return p.stats }

// Next advances to the next record.
func (p *JSONParser) Next() bool {
	if p.rec = p.sink.Pop(); p.rec != nil {
		return true
	}
	p.sink.Reset()
	for p.err == nil && !p.done {
		p.step()
		if p.rec = p.sink.Pop(); p.rec != nil {
			return true
		}
	}
	return false
}

// step advances the walk by one token or one element.
func (p *JSONParser) step() {
	if n := len(p.stack); n > 0 {
		f := &p.stack[n-1]
		if f.array && n == 5 && (f.name == "statistics" || f.name == "restarts" || f.name == "comments") && p.dec.PeekKind() != ']' {
			p.element(f.name)
			return
		}
		if n == 4 && !f.array && !f.wantKey && p.key == "nodename" && p.dec.PeekKind() == '"' {
			p.nodename()
			return
		}
	}
	tok, err := p.dec.ReadToken()
	if err == io.EOF {
		if len(p.stack) > 0 {
			p.fatal(io.ErrUnexpectedEOF)
			return
		}
		p.finish()
		return
	}
	if err != nil {
		p.fatal(err)
		return
	}
	// jsontext turns bytes that are not UTF-8 into U+FFFD: a key or a
	// nodename so mangled would be read as another (elements are checked
	// whole by element)
	if tok.Kind() == '"' && strings.ContainsRune(tok.String(), utf8.RuneError) && !utf8.Valid(p.lr.text(p.lr.lineAt(p.dec.InputOffset()-1))) {
		p.fatal(fmt.Errorf("%w: in %s", parse.ErrNotUTF8, tok))
		return
	}
	n := len(p.stack)
	var parent *frame
	if n > 0 {
		parent = &p.stack[n-1]
	}
	kind := tok.Kind()
	if parent != nil && !parent.array && parent.wantKey {
		switch kind {
		case '}':
			p.stack = p.stack[:n-1]
			p.afterValue()
		case '"':
			p.key = tok.String()
			parent.wantKey = false
		default:
			p.fatal(fmt.Errorf("object key expected, got %v", tok))
		}
		return
	}
	name := ""
	if parent != nil && !parent.array {
		name = p.key
	}
	switch kind {
	case '{', '[':
		if n == 0 && kind != '{' {
			p.fatal(errors.New(`not sadf -j output: want {"sysstat": ...}`))
			return
		}
		if n == 1 && name != "sysstat" {
			p.fatal(fmt.Errorf(`not sadf -j output: key %q where "sysstat" belongs`, name))
			return
		}
		if n == 3 {
			// A new host: its own file-date.
			p.fileDate, p.fileTime, p.start = "", "", time.Time{}
		}
		p.stack = append(p.stack, frame{array: kind == '[', name: name, wantKey: kind == '{'})
	case ']':
		p.stack = p.stack[:n-1]
		p.afterValue()
	default:
		if n == 0 {
			p.fatal(errors.New(`not sadf -j output: want {"sysstat": ...}`))
			return
		}
		if n == 4 && kind == '"' {
			switch name {
			case "file-date":
				p.fileDate = tok.String()
			case "file-utc-time":
				p.fileTime = tok.String()
			}
		}
		p.afterValue()
	}
}

// nodename reads the host's name from its raw JSON, where the decoder
// would replace bytes that are not UTF-8: such a name is not stored, and
// every record of the host is rejected with the reason (hostErr).
func (p *JSONParser) nodename() {
	raw, err := p.dec.ReadValue()
	if err != nil {
		p.fatal(err)
		return
	}
	p.hostErr = nil
	var name string
	if !utf8.Valid(raw) {
		p.hostErr = parse.Errorf(parse.ErrSyntax, "the host's nodename %s is not valid UTF-8 (sadf prints non-printable bytes as '.'): its records are not stored", parse.Raw(raw))
	} else if err := json.Unmarshal(raw, &name); err != nil {
		p.hostErr = parse.Errorf(parse.ErrSyntax, "the host's nodename %s: %v", parse.Raw(raw), err)
	}
	p.sink.Host = name
	p.afterValue()
}

// afterValue marks that the parent object's next token is a key.
func (p *JSONParser) afterValue() {
	if n := len(p.stack); n > 0 && !p.stack[n-1].array {
		p.stack[n-1].wantKey = true
	}
}

// element decodes one element of statistics, restarts or comments.
func (p *JSONParser) element(kind string) {
	raw, err := p.dec.ReadValue()
	if err != nil {
		p.fatal(err)
		return
	}
	end := p.dec.InputOffset()
	start := end - int64(len(raw))
	first, last := p.lr.lineAt(start), p.lr.lineAt(end-1)
	n0 := p.sink.Len()
	var skip bool
	switch {
	case p.hostErr != nil:
		err = p.hostErr
	case !utf8.Valid(raw):
		// jsontext lets such bytes through (AllowInvalidUTF8), but no
		// stored string may hold them (Parquet strings are UTF-8, and sadf
		// prints non-printable bytes as '.'): the element is rejected
		err = fmt.Errorf("%w: at line %d", parse.ErrNotUTF8, p.lr.lineAt(start+int64(parse.InvalidUTF8(raw))))
	case kind == "statistics":
		skip, err = p.statistics(raw)
	case kind == "restarts":
		err = p.special(raw, "boot", "restart")
	default:
		err = p.special(raw, "comment", "comment")
	}
	switch {
	case err != nil:
		p.sink.Reset()
		p.account(first, last, reject, err)
	case skip:
		p.account(first, last, skipped, nil)
	case p.sink.Len() > n0:
		p.stats.Records += int64(p.sink.Len() - n0)
		p.account(first, last, data, nil)
	default:
		p.account(first, last, structure, nil)
	}
}

const reject lineKind = 99

// account assigns lines first..last to kind, and the lines before first
// not yet counted to structure.
func (p *JSONParser) account(first, last int, kind lineKind, err error) {
	if first <= p.accounted {
		// The first line is shared with what came before: it counts once,
		// as the stronger kind (data > reject > structure). A reject
		// already handed to OnReject stays one.
		if !p.lastRej && (kind == data || kind == reject) && p.lastKind != data {
			p.uncount(p.lastKind)
			p.count(p.accounted, kind, err)
			p.lastKind, p.lastRej = kind, kind == reject
		}
		first = p.accounted + 1
	}
	if kind == reject {
		for l := p.accounted + 1; l < first; l++ {
			p.count(l, structure, nil)
		}
		text := p.lr.text(first)
		for l := first; l <= last; l++ {
			line := text
			if i := bytes.IndexByte(text, '\n'); i >= 0 {
				line, text = text[:i], text[i+1:]
			} else {
				text = nil
			}
			p.reject(l, err, bytes.TrimSuffix(line, []byte("\r")))
		}
	} else {
		p.stats.Structure += int64(first - p.accounted - 1)
		n := int64(last - first + 1)
		if n > 0 {
			switch kind {
			case data:
				p.stats.Data += n
			case skipped:
				p.stats.Structure += n
				p.stats.Skipped += n
			default:
				p.stats.Structure += n
			}
		}
	}
	if last >= first {
		p.lastKind, p.lastRej = kind, kind == reject
	}
	if last > p.accounted {
		p.accounted = last
		p.stats.Lines = int64(last)
		// Keep the last counted line: the next element may start on it.
		p.lr.drop(p.accounted - 1)
	}
}

// reject reports line (strict: stops; lenient: OnReject).
func (p *JSONParser) reject(line int, err error, text []byte) {
	pe := &parse.ParseError{File: p.opt.File, Line: line, Format: FormatJSON, Err: err, Raw: parse.Raw(text)}
	if !p.opt.Reject(&p.stats, pe) && p.err == nil {
		p.err = pe
	}
}

// count counts one line; a reject takes its text from the kept input.
func (p *JSONParser) count(line int, kind lineKind, err error) {
	switch kind {
	case data:
		p.stats.Data++
	case reject:
		p.reject(line, err, p.lr.text(line))
	case skipped:
		p.stats.Structure++
		p.stats.Skipped++
	default:
		p.stats.Structure++
	}
}

func (p *JSONParser) uncount(kind lineKind) {
	switch kind {
	case data:
		p.stats.Data--
	case skipped:
		p.stats.Structure--
		p.stats.Skipped--
	default:
		p.stats.Structure--
	}
}

// fatal handles invalid JSON: strict, an error at its line; lenient, every
// line not yet counted, to the end of the input, is a reject.
func (p *JSONParser) fatal(err error) {
	off := p.dec.InputOffset()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		off = se.ByteOffset
		// jsontext's own text repeats the offset, which the line number
		// replaces; the JSON pointer says where in the document it is
		err = se.Err
		if se.JSONPointer != "" {
			err = fmt.Errorf("%w in %s", se.Err, se.JSONPointer)
		}
	}
	if p.lr.err != nil {
		p.err = p.lr.err
		return
	}
	err = fmt.Errorf("%w: invalid sadf -j JSON: %v", parse.ErrSyntax, err)
	if !p.opt.Lenient {
		line := p.lr.lineAt(off)
		if line <= p.accounted {
			line = p.accounted + 1
		}
		p.err = &parse.ParseError{File: p.opt.File, Line: line, Format: FormatJSON, Err: err, Raw: parse.Raw(p.lr.text(line))}
		return
	}
	// Stream the rest (the decoder has stopped), one reject per line.
	p.lr.drop(p.accounted)
	buf := p.lr.buf
	l := p.lr.bufLine
	if l <= p.accounted { // the last counted line has no end yet
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			buf = nil
		} else {
			buf = buf[i+1:]
		}
		l = p.accounted + 1
	}
	chunk := make([]byte, 64<<10)
	eof := false
	for {
		for {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				break
			}
			p.reject(l, err, bytes.TrimSuffix(buf[:i], []byte("\r")))
			l++
			buf = buf[i+1:]
		}
		if eof {
			if len(buf) > 0 {
				p.reject(l, err, buf)
				l++
			}
			break
		}
		n, rerr := p.lr.r.Read(chunk)
		if len(buf) > parse.MaxLine {
			// A runaway line: keep its head for the reject's text.
			buf = buf[:parse.MaxRawReject:parse.MaxRawReject]
		}
		buf = append(buf, chunk[:n]...)
		if rerr == io.EOF {
			eof = true
		} else if rerr != nil {
			p.err = rerr
			return
		}
	}
	p.lr.buf = nil
	p.accounted = l - 1
	p.stats.Lines = int64(p.accounted)
	p.done = true
}

// finish counts the lines after the last element.
func (p *JSONParser) finish() {
	if p.lr.err != nil {
		p.err = p.lr.err
		return
	}
	total := p.lr.lines()
	for l := p.accounted + 1; l <= total; l++ {
		p.count(l, structure, nil)
	}
	p.accounted = total
	p.stats.Lines = int64(total)
	p.done = true
}

// statistics turns one statistics element into records.
func (p *JSONParser) statistics(raw []byte) (skip bool, err error) {
	root, err := p.tree.parse(raw)
	if err != nil {
		return false, err
	}
	if root.kind != 'o' {
		return false, parse.Errorf(parse.ErrSyntax, "a statistics element must be an object")
	}
	ts := root.get("timestamp")
	if ts == nil {
		return false, parse.Errorf(parse.ErrNoTime, "statistics element without a timestamp")
	}
	t, err := p.stamp(ts)
	if err != nil {
		return false, err
	}
	if err := p.plausible(t, ts.get("interval")); err != nil {
		return false, err
	}
	if iv := ts.get("interval"); iv != nil && iv.kind == 'n' && string(iv.num) == "0" && root.allZero("timestamp") {
		return true, nil
	}
	for i, k := range root.keys {
		if k == "timestamp" {
			continue
		}
		if err := p.activity(t, k, root.kids[i]); err != nil {
			return false, err
		}
	}
	return false, nil
}

// activity emits one activity (or group of activities) at path.
func (p *JSONParser) activity(t time.Time, path string, n *node) error {
	if len(p.skip) > 0 && p.skip[path] {
		return nil
	}
	if _, ok := powerKeys[path]; ok {
		return p.powerJSON(t, path, n)
	}
	switch n.kind {
	case 'a':
		tb := sar.JSONTable(path)
		for _, e := range n.kids {
			if e.kind != 'o' {
				if err := p.scalar(t, path, "", path, e); err != nil {
					return err
				}
				continue
			}
			if err := p.object(t, tb, path, e); err != nil {
				return err
			}
		}
	case 'o':
		if n.hasScalar() {
			return p.object(t, sar.JSONTable(path), path, n)
		}
		for i, k := range n.keys {
			if err := p.activity(t, path+"."+k, n.kids[i]); err != nil {
				return err
			}
		}
	default:
		return p.scalar(t, "statistics", "", path, n)
	}
	return nil
}

// numericLabel reports whether sadf -j key k names a device with a number
// (sar text prints it in a label column: TTY's line).
func numericLabel(k string) bool { return k == "line" }

// slotCache is the sar slots of the keys of the last object of one table:
// sadf -j prints every object of an activity with the same keys in the same
// order, so a record's objects look their keys up once instead of once
// each. Keys are compared as strings; the tree interns them, so equal keys
// share their bytes and compare at once.
type slotCache struct {
	keys  []string
	slots []int
	ints  []bool
}

// slots returns the slot and integer flag of each of keys in table tb
// (-1 for a key without one).
func (c *slotCache) lookup(tb sar.Kind, keys []string) ([]int, []bool) {
	if slices.Equal(c.keys, keys) {
		return c.slots, c.ints
	}
	c.keys = append(c.keys[:0], keys...)
	c.slots, c.ints = c.slots[:0], c.ints[:0]
	for _, k := range keys {
		slot, isInt := sar.JSONSlot(tb, k)
		c.slots = append(c.slots, slot)
		c.ints = append(c.ints, isInt)
	}
	return c.slots, c.ints
}

// object emits one activity object: its string values (and numericLabels)
// form the device, its numbers the values.
func (p *JSONParser) object(t time.Time, tb sar.Kind, path string, o *node) error {
	var labels []string
	for i, k := range o.keys {
		c := o.kids[i]
		if c.kind == 's' {
			if slot, _ := sar.JSONSlot(tb, k); slot >= 0 {
				return parse.Errorf(parse.ErrSyntax, "%s: %s is the string %q, not a number", path, k, c.str)
			}
		}
		if c.kind == 's' || (numericLabel(k) && c.kind == 'n') {
			labels = append(labels, k)
		}
	}
	if tb != sar.Other {
		if want := sar.JSONLabel(tb); (want == "" && len(labels) > 0) || (want != "" && (len(labels) != 1 || labels[0] != want)) {
			tb = sar.Other
		}
	}
	var dev strings.Builder
	cpu := int32(-1)
	for i, k := range o.keys {
		c := o.kids[i]
		if c.kind != 's' && !(numericLabel(k) && c.kind == 'n') {
			continue
		}
		v := c.str
		if c.kind == 'n' {
			v = string(c.num)
		}
		if tb == sar.CPU {
			n, err := sar.CPUNumber([]byte(v))
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			cpu = n
		}
		if k == "cpu" && v == "-1" {
			v = "all"
		}
		if dev.Len() > 0 {
			dev.WriteByte(' ')
		}
		dev.WriteString(v)
	}
	device := ""
	if dev.Len() > 0 {
		device = p.sink.Intern([]byte(dev.String()))
	}
	activity := path
	if tb != sar.Other {
		activity = sar.ActivityOf(tb)
	}
	var set uint32
	type ov struct {
		act, metric string
		v           float64
	}
	var others []ov
	var slots []int
	var ints []bool
	if tb != sar.Other {
		slots, ints = p.slots[tb].lookup(tb, o.keys)
	}
	var walk func(prefix string, o *node) error
	walk = func(prefix string, o *node) error {
		for i, k := range o.keys {
			c := o.kids[i]
			name := prefix + k
			switch c.kind {
			case 's':
				if prefix == "" {
					continue // a label
				}
				return parse.Errorf(parse.ErrSyntax, "%s: %s is the string %q, not a number", path, name, c.str)
			case 'o':
				if err := walk(name+".", c); err != nil {
					return err
				}
				continue
			case 'a':
				return parse.Errorf(parse.ErrSyntax, "%s: %s is an array inside an activity", path, name)
			case 'z':
				continue // null: no value to keep
			}
			if prefix == "" && numericLabel(k) && c.kind == 'n' {
				continue
			}
			v, err := c.float()
			if err != nil {
				return fmt.Errorf("%s: %s: %w", path, name, err)
			}
			if prefix == "" {
				slot, isInt := -1, false
				if slots != nil {
					slot, isInt = slots[i], ints[i]
				}
				if slot >= 0 && set&(1<<slot) != 0 && p.sink.Get(slot) == v {
					// An alias printed beside its new name (sadf -j prints
					// both avgqu-sz and aqu-sz): one quantity, kept once.
					continue
				}
				if slot >= 0 && set&(1<<slot) == 0 {
					if isInt && v != float64(int64(v)) {
						return parse.Errorf(parse.ErrSyntax, "%s: %s is %v, want an integer", path, name, v)
					}
					p.sink.Set(slot, v)
					set |= 1 << slot
					continue
				}
			}
			act := activity
			if tb == sar.Memory && strings.HasPrefix(k, "swp") {
				act = "swap-space"
			}
			others = append(others, ov{act, name, v})
		}
		return nil
	}
	if err := walk("", o); err != nil {
		return err
	}
	if tb != sar.Other {
		p.sink.Emit(tb, t, cpu, device, set)
	}
	for _, x := range others {
		p.sink.Other(t, x.act, device, x.metric, x.v)
	}
	return nil
}

// scalar keeps a number found where an activity belongs.
func (p *JSONParser) scalar(t time.Time, activity, dev, metric string, n *node) error {
	switch n.kind {
	case 'z':
		return nil
	case 'n', 'b':
		v, err := n.float()
		if err != nil {
			return fmt.Errorf("%s: %w", metric, err)
		}
		p.sink.Other(t, activity, dev, metric, v)
		return nil
	}
	return parse.Errorf(parse.ErrSyntax, "%s: unexpected %s", metric, n.describe())
}

// stamp reads a {"date", "time", "utc"|"tz"} object.
func (p *JSONParser) stamp(ts *node) (time.Time, error) {
	if ts.kind != 'o' {
		return time.Time{}, parse.Errorf(parse.ErrNoTime, "timestamp is not an object")
	}
	d, tm := ts.get("date"), ts.get("time")
	if d == nil || tm == nil || d.kind != 's' || tm.kind != 's' {
		return time.Time{}, parse.Errorf(parse.ErrNoTime, "timestamp without date and time strings")
	}
	utc := false
	zone := ""
	if u := ts.get("utc"); u != nil && u.kind == 'n' && string(u.num) == "1" {
		utc = true
	}
	if z := ts.get("tz"); z != nil && z.kind == 's' {
		if z.str == "UTC" {
			utc = true
		} else {
			zone = z.str
		}
	}
	if utc {
		t, err := time.Parse("2006-01-02 15:04:05", d.str+" "+tm.str)
		if err != nil {
			return time.Time{}, parse.Errorf(parse.ErrNoTime, "timestamp %q %q: want YYYY-MM-DD and HH:MM:SS", d.str, tm.str)
		}
		return t, nil
	}
	y, mo, dd, h, mi, s, ok := civil(d.str + " " + tm.str)
	if !ok {
		return time.Time{}, parse.Errorf(parse.ErrNoTime, "timestamp %q %q: want YYYY-MM-DD and HH:MM:SS", d.str, tm.str)
	}
	if p.clock.loc == nil {
		p.clock = newWallClock(p.opt.Loc())
	}
	stamp := d.str + " " + tm.str
	if zone != "" {
		stamp += " " + zone
	}
	t, err := p.clock.read(y, mo, dd, h, mi, s, zone, stamp)
	return t.UTC(), err
}

// ErrMisread marks a record whose time sadf cannot have read right (see
// JSONParser.plausible); it comes wrapped with parse.ErrNoTime.
var ErrMisread = errors.New("sadf misread this record")

// The bounds of plausible: a record up to a year after its file began (sa
// files hold a day, or what one sadc run wrote to a named file), up to a
// day before it (clock steps), over an interval up to a day longer than the
// time since the file began.
const (
	maxAfterStart  = 366 * 24 * time.Hour
	maxBeforeStart = 24 * time.Hour
	intervalSlack  = 24 * time.Hour
)

// plausible checks a record's time t and interval against the file-date
// and file-utc-time of its host. sadf prints what it decodes: sysstat
// 12.6.1 reads the big-endian data-ppc-11.7.2 of sysstat's tests with
// records dated 2040 over intervals of 10^17 s, 23 years after the file's
// own date, and its rates are computed over those intervals. Such a record
// is an ErrMisread error: no value of it can be trusted.
func (p *JSONParser) plausible(t time.Time, iv *node) error {
	if p.start.IsZero() {
		if p.fileDate == "" {
			return nil
		}
		clock := "00:00:00"
		if p.fileTime != "" {
			clock = p.fileTime
		}
		s, err := time.Parse(time.DateTime, p.fileDate+" "+clock)
		if err != nil {
			return nil // no usable file date: nothing to check against
		}
		p.start = s
	}
	since := t.Sub(p.start)
	what := ""
	switch {
	case since > maxAfterStart:
		what = fmt.Sprintf("dated %s UTC, %s after the file began", t.Format(time.DateTime), span(since))
	case since < -maxBeforeStart:
		what = fmt.Sprintf("dated %s UTC, %s before the file began", t.Format(time.DateTime), span(-since))
	case iv != nil && iv.kind == 'n':
		v, err := strconv.ParseFloat(string(iv.num), 64)
		if err == nil && v <= (since+intervalSlack).Seconds() {
			return nil
		}
		what = fmt.Sprintf("dated %s UTC over an interval of %s s, longer than the %s since the file began", t.Format(time.DateTime), iv.num, span(since))
	default:
		return nil
	}
	return fmt.Errorf("%w: %w: %s (file-date %s, file-utc-time %s), so the values computed over that interval are wrong too",
		parse.ErrNoTime, ErrMisread, what, p.fileDate, p.fileTime)
}

// span renders a duration for messages: years, days, or Go's form.
func span(d time.Duration) string {
	switch day := 24 * time.Hour; {
	case d >= 2*365*day:
		return fmt.Sprintf("%.0f years", d.Hours()/24/365.25)
	case d >= 2*day:
		return fmt.Sprintf("%.0f days", d.Hours()/24)
	}
	return d.Round(time.Second).String()
}

// special reads a restart {"boot": {...}} or comment {"comment": {...}}.
func (p *JSONParser) special(raw []byte, key, kind string) error {
	root, err := p.tree.parse(raw)
	if err != nil {
		return err
	}
	o := root.get(key)
	if root.kind != 'o' || o == nil || o.kind != 'o' {
		return parse.Errorf(parse.ErrSyntax, "a %s element must be {%q: {...}}", kind, key)
	}
	t, err := p.stamp(o)
	if err != nil {
		return err
	}
	if err := p.plausible(t, nil); err != nil {
		return err
	}
	cpus := -1
	text := ""
	if kind == "restart" {
		if c := o.get("cpu_count"); c != nil && c.kind == 'n' {
			if v, err := strconv.Atoi(string(c.num)); err == nil {
				cpus = v
			}
		}
	} else if c := o.get("com"); c != nil && c.kind == 's' {
		text = c.str
	}
	p.sink.Event(t, kind, cpus, text)
	return nil
}

// node is a decoded JSON value that keeps the order of object keys. Nodes
// come from a tree and are valid until its next parse.
type node struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str  string
	num  []byte
	b    bool
	keys []string
	kids []*node
}

func (n *node) get(k string) *node {
	for i, key := range n.keys {
		if key == k {
			return n.kids[i]
		}
	}
	return nil
}

func (n *node) hasScalar() bool {
	for _, c := range n.kids {
		if c.kind != 'o' && c.kind != 'a' {
			return true
		}
	}
	return false
}

// allZero reports whether every number under n, except under key skip, is 0.
func (n *node) allZero(skip string) bool {
	for i, c := range n.kids {
		if n.kind == 'o' && n.keys[i] == skip {
			continue
		}
		switch c.kind {
		case 'n':
			if v, err := c.float(); err != nil || v != 0 {
				return false
			}
		case 'o', 'a':
			if !c.allZero("") {
				return false
			}
		}
	}
	return true
}

func (n *node) float() (float64, error) {
	switch n.kind {
	case 'b':
		if n.b {
			return 1, nil
		}
		return 0, nil
	case 'n':
		var d sar.Decimal
		v, err := d.Float(n.num)
		if err != nil || bytes.IndexByte(n.num, ',') >= 0 {
			return 0, parse.Errorf(parse.ErrSyntax, "bad number %s", n.num)
		}
		return v, nil
	}
	return 0, parse.Errorf(parse.ErrSyntax, "%s is not a number", n.describe())
}

func (n *node) describe() string {
	switch n.kind {
	case 's':
		return strconv.Quote(n.str)
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 'z':
		return "null"
	case 'b':
		return strconv.FormatBool(n.b)
	}
	return string(n.num)
}

// tree parses JSON values into nodes it recycles: each parse reuses the
// nodes (and their key and child slices) of the previous one, and strings
// are interned, so steady-state parsing allocates almost nothing.
type tree struct {
	pool   []*node
	used   int
	intern intern.Pool
	b      []byte
	i      int
}

// parse decodes raw, one JSON value (already checked by encoding/json).
func (t *tree) parse(raw []byte) (*node, error) {
	t.used, t.b, t.i = 0, raw, 0
	t.ws()
	n, err := t.value(0)
	if err != nil {
		return nil, parse.Errorf(parse.ErrSyntax, "%v", err)
	}
	t.ws()
	if t.i != len(t.b) {
		return nil, parse.Errorf(parse.ErrSyntax, "data after a JSON value")
	}
	return n, nil
}

func (t *tree) node(kind byte) *node {
	if t.used == len(t.pool) {
		t.pool = append(t.pool, &node{})
	}
	n := t.pool[t.used]
	t.used++
	n.kind, n.str, n.num, n.b = kind, "", nil, false
	n.keys, n.kids = n.keys[:0], n.kids[:0]
	return n
}

func (t *tree) ws() {
	for t.i < len(t.b) {
		switch t.b[t.i] {
		case ' ', '\t', '\r', '\n':
			t.i++
		default:
			return
		}
	}
}

var errJSON = errors.New("malformed JSON")

func (t *tree) value(depth int) (*node, error) {
	if depth > 64 {
		return nil, errors.New("nested more than 64 levels")
	}
	if t.i >= len(t.b) {
		return nil, errJSON
	}
	switch c := t.b[t.i]; {
	case c == '{' || c == '[':
		n := t.node('o')
		end := byte('}')
		if c == '[' {
			n.kind, end = 'a', ']'
		}
		t.i++
		t.ws()
		if t.i < len(t.b) && t.b[t.i] == end {
			t.i++
			return n, nil
		}
		for {
			if n.kind == 'o' {
				t.ws()
				k, err := t.string()
				if err != nil {
					return nil, err
				}
				t.ws()
				if t.i >= len(t.b) || t.b[t.i] != ':' {
					return nil, errJSON
				}
				t.i++
				n.keys = append(n.keys, k)
			}
			t.ws()
			v, err := t.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, v)
			t.ws()
			if t.i >= len(t.b) {
				return nil, errJSON
			}
			switch t.b[t.i] {
			case ',':
				t.i++
			case end:
				t.i++
				return n, nil
			default:
				return nil, errJSON
			}
		}
	case c == '"':
		s, err := t.string()
		if err != nil {
			return nil, err
		}
		n := t.node('s')
		n.str = s
		return n, nil
	case c == 't' && bytes.HasPrefix(t.b[t.i:], []byte("true")):
		t.i += 4
		n := t.node('b')
		n.b = true
		return n, nil
	case c == 'f' && bytes.HasPrefix(t.b[t.i:], []byte("false")):
		t.i += 5
		return t.node('b'), nil
	case c == 'n' && bytes.HasPrefix(t.b[t.i:], []byte("null")):
		t.i += 4
		return t.node('z'), nil
	case c == '-' || (c >= '0' && c <= '9'):
		s := t.i
		for t.i < len(t.b) {
			c := t.b[t.i]
			if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
				t.i++
				continue
			}
			break
		}
		n := t.node('n')
		n.num = t.b[s:t.i]
		return n, nil
	}
	return nil, errJSON
}

// string reads a JSON string at t.i, interned when it has no escapes.
func (t *tree) string() (string, error) {
	if t.i >= len(t.b) || t.b[t.i] != '"' {
		return "", errJSON
	}
	s := t.i + 1
	esc := false
	for j := s; j < len(t.b); j++ {
		switch t.b[j] {
		case '\\':
			esc = true
			j++
		case '"':
			t.i = j + 1
			if esc {
				v, err := strconv.Unquote(string(t.b[s-1 : j+1]))
				if err != nil {
					var out string
					if e := json.Unmarshal(t.b[s-1:j+1], &out); e != nil {
						return "", errJSON
					}
					return out, nil
				}
				return v, nil
			}
			return t.intern.String(t.b[s:j]), nil
		}
	}
	return "", errJSON
}

// lineReader passes the input to the JSON decoder while keeping the bytes
// of the lines not yet accounted for, so that offsets map to line numbers
// and rejected lines keep their text.
type lineReader struct {
	r       io.Reader
	buf     []byte // input from bufOff on; bufOff starts line bufLine
	bufOff  int64
	bufLine int
	read    int64
	nl      int  // newlines read in total
	last    byte // last byte read
	err     error
}

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		l.nl += bytes.Count(p[:n], []byte{'\n'})
		l.last = p[n-1]
		l.read += int64(n)
		l.buf = append(l.buf, p[:n]...)
	}
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

// lineAt is the 1-based line of byte offset off (off ≥ bufOff).
func (l *lineReader) lineAt(off int64) int {
	rel := off - l.bufOff
	if rel < 0 {
		return l.bufLine
	}
	if rel > int64(len(l.buf)) {
		rel = int64(len(l.buf))
	}
	return l.bufLine + bytes.Count(l.buf[:rel], []byte{'\n'})
}

// text is line's text (line ≥ bufLine), without its line end.
func (l *lineReader) text(line int) []byte {
	b := l.buf
	for k := l.bufLine; k < line; k++ {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimSuffix(b, []byte("\r"))
}

// drop forgets the lines up to and including line.
func (l *lineReader) drop(line int) {
	for l.bufLine <= line {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return
		}
		l.buf = l.buf[i+1:]
		l.bufOff += int64(i + 1)
		l.bufLine++
	}
	if cap(l.buf) > 1<<20 && len(l.buf) < cap(l.buf)/4 {
		l.buf = append([]byte(nil), l.buf...)
	}
}

// lines is the number of lines read: newlines, plus a last line without one.
func (l *lineReader) lines() int {
	n := l.nl
	if l.read > 0 && l.last != '\n' {
		n++
	}
	return n
}
