package xentop

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/migreplay/migreplay/ingest/parse"
	"github.com/migreplay/migreplay/internal/decimal"
	"github.com/migreplay/migreplay/schema"
)

// column is a header column after NAME and STATE.
type column uint8

const (
	colCPU column = iota
	colCPUPct
	colMem
	colMemPct
	colMaxMem
	colMaxPct
	colVCPUs
	colNets
	colNetTx
	colNetRx
	colVBDs
	colVBDOO
	colVBDRd
	colVBDWr
	colVBDRsect
	colVBDWsect
	colSSID
	numCols
)

var colNames = [numCols]string{"CPU(sec)", "CPU(%)", "MEM(k)", "MEM(%)", "MAXMEM(k)", "MAXMEM(%)",
	"VCPUS", "NETS", "NETTX(k)", "NETRX(k)", "VBDS", "VBD_OO", "VBD_RD", "VBD_WR", "VBD_RSECT",
	"VBD_WSECT", "SSID"}

// optional columns may be missing from a header (null in every row); the
// others are printed by every xentop since Xen 3.0.
func (c column) optional() bool { return c >= colVBDOO && c <= colVBDWsect }

// parseColumns maps a header's columns (c tokenized in toks, NAME and STATE
// first) to the columns after STATE.
func parseColumns(c []byte, toks []span, dst []column) ([]column, *lineError) {
	if len(toks) < 2 || string(c[toks[0].s:toks[0].e]) != "NAME" || string(c[toks[1].s:toks[1].e]) != "STATE" {
		return nil, errAt(-1, parse.ErrSyntax, "header must start with NAME STATE")
	}
	var seen [numCols]bool
	for _, t := range toks[2:] {
		name := c[t.s:t.e]
		id := column(0)
		for ; id < numCols; id++ {
			if string(name) == colNames[id] {
				break
			}
		}
		if id == numCols {
			return nil, errAt(t.s, parse.ErrUnsupported, "unknown xentop column %q (known: NAME STATE %s)", name, joinCols())
		}
		if seen[id] {
			return nil, errAt(t.s, parse.ErrSyntax, "column %s twice in the header", name)
		}
		seen[id] = true
		dst = append(dst, id)
	}
	for id := column(0); id < numCols; id++ {
		if !seen[id] && !id.optional() {
			return nil, errAt(-1, parse.ErrUnsupported, "header lacks column %s, which every xentop prints", colNames[id])
		}
	}
	return dst, nil
}

func joinCols() string {
	var b bytes.Buffer
	for i, n := range colNames {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
	}
	return b.String()
}

// prevToken returns the token ending at or before end: [s, e), s < 0 when none.
func prevToken(b []byte, end int) (int, int) {
	e := end
	for e > 0 && b[e-1] == ' ' {
		e--
	}
	s := e
	for s > 0 && b[s-1] != ' ' {
		s--
	}
	if s == e {
		return -1, -1
	}
	return s, e
}

// parseForward reads a domain row c (after any timestamp prefix) forward:
// a NAME without spaces, STATE, then exactly the header's columns. It fails
// on anything else (a name with spaces, a bad row); parseBackward then
// reads the row again from the right.
func (p *Parser) parseForward(c []byte) ([]byte, bool) {
	d := &p.dom
	d.MaxMemK, d.MaxMemPct = nil, nil
	d.VBDOO, d.VBDRd, d.VBDWr, d.VBDRsect, d.VBDWsect = nil, nil, nil, nil, nil
	i := skipSpaces(c, 0)
	j := i
	for j < len(c) && c[j] != ' ' {
		j++
	}
	if j == i {
		return nil, false
	}
	name := c[i:j]
	i = skipSpaces(c, j)
	if i+6 > len(c) || (i+6 < len(c) && c[i+6] != ' ') || !isState(c[i:i+6]) {
		return nil, false
	}
	d.State = stateString(c[i : i+6])
	i += 6
	for _, col := range p.cols {
		if i >= len(c) || c[i] != ' ' {
			return nil, false
		}
		i = skipSpaces(c, i)
		// The common tokens, integers and one-decimal floats, here; the
		// rest ("no limit", "n/a", "-", long or odd numbers) in scanColumn.
		s := i
		var n uint64
		n, i = decimal.Run(c, i, 0)
		nd := i - s
		if i < len(c) && c[i] == '.' && nd > 0 && nd < 15 && col.float() {
			fs := i + 1
			n, i = decimal.Run(c, fs, n)
			nf := i - fs
			f, exact := decimal.Exact(n, nf)
			if (i < len(c) && c[i] != ' ') || nd+nf > 19 || !exact {
				var ok bool
				if i, ok = p.scanColumn(col, c, s); !ok {
					return nil, false
				}
				continue
			}
			switch col {
			case colCPUPct:
				d.CPUPct = f
			case colMemPct:
				d.MemPct = f
			case colMaxPct:
				d.MaxMemPct = p.f64p(f)
			}
			continue
		}
		if nd == 0 || nd >= 20 || (i < len(c) && c[i] != ' ') || col.float() {
			var ok bool
			if i, ok = p.scanColumn(col, c, s); !ok {
				return nil, false
			}
			continue
		}
		switch col {
		case colCPU:
			d.CPUSec = n
		case colMem:
			d.MemK = n
		case colMaxMem:
			d.MaxMemK = p.u64p(n)
		case colNetTx:
			d.NetTxK = n
		case colNetRx:
			d.NetRxK = n
		case colVBDOO:
			d.VBDOO = p.u64p(n)
		case colVBDRd:
			d.VBDRd = p.u64p(n)
		case colVBDWr:
			d.VBDWr = p.u64p(n)
		case colVBDRsect:
			d.VBDRsect = p.u64p(n)
		case colVBDWsect:
			d.VBDWsect = p.u64p(n)
		default: // VCPUS, NETS, VBDS, SSID: unsigned int
			if n > math.MaxUint32 {
				return nil, false
			}
			v := uint32(n)
			switch col {
			case colVCPUs:
				d.VCPUs = v
			case colNets:
				d.Nets = v
			case colVBDs:
				d.VBDs = v
			case colSSID:
				d.SSID = v
			}
		}
	}
	if skipSpaces(c, i) != len(c) {
		return nil, false
	}
	return name, true
}

// scanColumn reads column col's token at c[i:] (after the spaces) the
// general way: "no limit", "n/a", "-" and any number decimal.Parse or
// decimal.Uint accept. It returns the index after the token.
func (p *Parser) scanColumn(col column, c []byte, i int) (int, bool) {
	d := &p.dom
	var ok bool
	switch col {
	case colCPU:
		d.CPUSec, i, ok = scanU64(c, i)
	case colCPUPct:
		d.CPUPct, i, ok = scanFloat(c, i)
	case colMem:
		d.MemK, i, ok = scanU64(c, i)
	case colMemPct:
		d.MemPct, i, ok = scanFloat(c, i)
	case colMaxMem:
		if i < len(c) && c[i] == 'n' {
			if ok = bytes.HasPrefix(c[i:], []byte("no limit")); ok {
				i += len("no limit")
			}
			break
		}
		var v uint64
		if v, i, ok = scanU64(c, i); ok {
			d.MaxMemK = p.u64p(v)
		}
	case colMaxPct:
		if i < len(c) && c[i] == 'n' {
			if ok = bytes.HasPrefix(c[i:], []byte("n/a")); ok {
				i += len("n/a")
			}
			break
		}
		var v float64
		if v, i, ok = scanFloat(c, i); ok {
			d.MaxMemPct = p.f64p(v)
		}
	case colVCPUs:
		d.VCPUs, i, ok = scanU32(c, i)
	case colNets:
		d.Nets, i, ok = scanU32(c, i)
	case colNetTx:
		d.NetTxK, i, ok = scanU64(c, i)
	case colNetRx:
		d.NetRxK, i, ok = scanU64(c, i)
	case colVBDs:
		d.VBDs, i, ok = scanU32(c, i)
	case colVBDOO:
		d.VBDOO, i, ok = p.scanOptU64(c, i)
	case colVBDRd:
		d.VBDRd, i, ok = p.scanOptU64(c, i)
	case colVBDWr:
		d.VBDWr, i, ok = p.scanOptU64(c, i)
	case colVBDRsect:
		d.VBDRsect, i, ok = p.scanOptU64(c, i)
	case colVBDWsect:
		d.VBDWsect, i, ok = p.scanOptU64(c, i)
	case colSSID:
		d.SSID, i, ok = scanU32(c, i)
	}
	return i, ok
}

// float reports whether the column holds a decimal (CPU(%), MEM(%), MAXMEM(%)).
func (c column) float() bool { return c == colCPUPct || c == colMemPct || c == colMaxPct }

// parseBackward reads a domain row from the right: each column takes one
// token, then STATE, and the rest is the name (which may hold spaces).
func (p *Parser) parseBackward(c []byte) ([]byte, *lineError) {
	d := &p.dom
	d.MaxMemK, d.MaxMemPct = nil, nil
	d.VBDOO, d.VBDRd, d.VBDWr, d.VBDRsect, d.VBDWsect = nil, nil, nil, nil, nil
	end := len(c)
	for i := len(p.cols) - 1; i >= 0; i-- {
		col := p.cols[i]
		s, e := prevToken(c, end)
		if s < 0 {
			return nil, errAt(len(c), parse.ErrSyntax, "row ends before column %s (%d columns expected after STATE)", colNames[col], len(p.cols))
		}
		tok := c[s:e]
		end = s
		var ok bool
		switch col {
		case colCPU:
			d.CPUSec, ok = decimal.Uint(tok)
		case colCPUPct:
			d.CPUPct, ok = decimal.Parse(tok)
		case colMem:
			d.MemK, ok = decimal.Uint(tok)
		case colMemPct:
			d.MemPct, ok = decimal.Parse(tok)
		case colMaxMem:
			if string(tok) == "limit" {
				if s2, e2 := prevToken(c, s); s2 >= 0 && string(c[s2:e2]) == "no" {
					end, ok = s2, true
					break
				}
			}
			var v uint64
			if v, ok = decimal.Uint(tok); ok {
				d.MaxMemK = p.u64p(v)
			}
		case colMaxPct:
			if string(tok) == "n/a" {
				ok = true
				break
			}
			var v float64
			if v, ok = decimal.Parse(tok); ok {
				d.MaxMemPct = p.f64p(v)
			}
		case colVCPUs:
			d.VCPUs, ok = parseU32(tok)
		case colNets:
			d.Nets, ok = parseU32(tok)
		case colNetTx:
			d.NetTxK, ok = decimal.Uint(tok)
		case colNetRx:
			d.NetRxK, ok = decimal.Uint(tok)
		case colVBDs:
			d.VBDs, ok = parseU32(tok)
		case colVBDOO:
			d.VBDOO, ok = p.optU64(tok)
		case colVBDRd:
			d.VBDRd, ok = p.optU64(tok)
		case colVBDWr:
			d.VBDWr, ok = p.optU64(tok)
		case colVBDRsect:
			d.VBDRsect, ok = p.optU64(tok)
		case colVBDWsect:
			d.VBDWsect, ok = p.optU64(tok)
		case colSSID:
			d.SSID, ok = parseU32(tok)
		}
		if !ok {
			return nil, errAt(s, parse.ErrSyntax, "column %s: %q is not %s", colNames[col], tok, colWant(col))
		}
	}
	s, e := prevToken(c, end)
	if s < 0 || !isState(c[s:e]) {
		if s < 0 {
			s = 0
		}
		return nil, errAt(s, parse.ErrSyntax, "no STATE flags (6 characters of d s b c p r or -) before column %s", colNames[p.cols[0]])
	}
	p.dom.State = stateString(c[s:e])
	name := bytes.TrimSpace(c[:s])
	if len(name) == 0 {
		return nil, errAt(s, parse.ErrSyntax, "domain row without a name")
	}
	return name, nil
}

// rowShape explains a domain row that does not fit the header (a cut or a
// foreign line): it finds the first STATE-looking token and counts the
// values after it. It returns nil when the shape fits.
func (p *Parser) rowShape(c []byte) *lineError {
	p.toks = fields(c, p.toks[:0])
	tok := func(i int) string { return string(c[p.toks[i].s:p.toks[i].e]) }
	for i, t := range p.toks {
		if !isState(c[t.s:t.e]) {
			continue
		}
		n := len(p.toks) - i - 1
		for j := i + 1; j+1 < len(p.toks); j++ {
			if tok(j) == "no" && tok(j+1) == "limit" {
				n--
			}
		}
		if n != len(p.cols) {
			return errAt(t.s, parse.ErrSyntax, "row has %d values after STATE, the header at line %d has %d columns (line cut short, or not xentop output?)", n, p.hdrLine, len(p.cols))
		}
		return nil
	}
	return errAt(-1, parse.ErrSyntax, "not a xentop domain row: no STATE flags (6 characters of d s b c p r or -)")
}

func colWant(c column) string {
	switch {
	case c == colCPUPct || c == colMemPct:
		return "a number"
	case c == colMaxPct:
		return "a number or n/a"
	case c == colMaxMem:
		return "an unsigned integer or 'no limit'"
	case c.optional():
		return "an unsigned integer or -"
	}
	return "an unsigned integer"
}

const stateFlags = "dsbcpr"

func isState(b []byte) bool {
	if len(b) != 6 {
		return false
	}
	for i, c := range b {
		if c != '-' && c != stateFlags[i] {
			return false
		}
	}
	return true
}

// stateStrings interns the 64 possible STATE values.
var stateStrings = func() (s [64]string) {
	for m := 0; m < 64; m++ {
		b := []byte("------")
		for i := 0; i < 6; i++ {
			if m&(1<<i) != 0 {
				b[i] = stateFlags[i]
			}
		}
		s[m] = string(b)
	}
	return s
}()

func stateString(b []byte) string {
	m := 0
	for i, c := range b {
		if c != '-' {
			m |= 1 << i
		}
	}
	return stateStrings[m]
}

// skipSpaces returns the index of the first byte at or after i that is not
// a space, eight bytes at a time (xentop pads its columns with spaces).
func skipSpaces(b []byte, i int) int {
	for i+8 <= len(b) {
		if x := binary.LittleEndian.Uint64(b[i:]) ^ 0x2020202020202020; x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
		i += 8
	}
	for i < len(b) && b[i] == ' ' {
		i++
	}
	return i
}

// scanU64 parses the unsigned decimal token at b[i:] and returns the index
// after it; the token must end at a space or the end of b.
func scanU64(b []byte, i int) (uint64, int, bool) {
	v, j, ok := decimal.ScanUint(b, i)
	if !ok || (j < len(b) && b[j] != ' ') {
		return 0, j, false
	}
	return v, j, true
}

func scanU32(b []byte, i int) (uint32, int, bool) {
	v, i, ok := scanU64(b, i)
	if !ok || v > math.MaxUint32 {
		return 0, i, false
	}
	return uint32(v), i, true
}

// scanFloat parses the decimal token at b[i:] (decimal.Parse).
func scanFloat(b []byte, i int) (float64, int, bool) {
	s := i
	for i < len(b) && b[i] != ' ' {
		i++
	}
	v, ok := decimal.Parse(b[s:i])
	return v, i, ok
}

// scanOptU64 is scanU64 for a counter that may be printed as "-" (null).
func (p *Parser) scanOptU64(b []byte, i int) (*uint64, int, bool) {
	if i < len(b) && b[i] == '-' {
		return nil, i + 1, i+1 == len(b) || b[i+1] == ' '
	}
	v, i, ok := scanU64(b, i)
	if !ok {
		return nil, i, false
	}
	return p.u64p(v), i, true
}

// optU64 parses a counter that may be printed as "-" (null).
func (p *Parser) optU64(tok []byte) (*uint64, bool) {
	if len(tok) == 1 && tok[0] == '-' {
		return nil, true
	}
	v, ok := decimal.Uint(tok)
	if !ok {
		return nil, false
	}
	return p.u64p(v), true
}

func parseU32(b []byte) (uint32, bool) {
	v, ok := decimal.Uint(b)
	if !ok || v > math.MaxUint32 {
		return 0, false
	}
	return uint32(v), true
}

// vcpuLine reads the pairs " N: Ss" of a VCPUs(sec) line or of its
// continuation line (c starts after "VCPUs(sec):" or at the first index).
func (p *Parser) vcpuLine(c []byte, off int) (int, *lineError) {
	p.prev = prevOther
	if p.cur == nil {
		return 0, errAt(-1, parse.ErrSyntax, "VCPUs line without a domain row before it")
	}
	p.queue, p.qpos = p.queue[:0], 0
	for i := skipSpaces(c, 0); i < len(c); i = skipSpaces(c, i) {
		s := i
		var idx uint64
		for i < len(c) && isDigit(c[i]) && i-s < 10 {
			idx = idx*10 + uint64(c[i]-'0')
			i++
		}
		if i == s || i >= len(c) || c[i] != ':' || idx > math.MaxUint32 || (i+1 < len(c) && c[i+1] != ' ') {
			return 0, errAt(off+s, parse.ErrSyntax, "VCPUs entry %q: want \"<index>:\"", token(c, s))
		}
		i = skipSpaces(c, i+1)
		if i == len(c) {
			return 0, errAt(off+s, parse.ErrSyntax, "VCPUs entry %q without its time (want \"N: <sec>s\")", token(c, s))
		}
		vs := i
		var sec uint64
		var ok bool
		sec, i, ok = decimal.ScanUint(c, i)
		if !ok || i == len(c) || c[i] != 's' || (i+1 < len(c) && c[i+1] != ' ') {
			return 0, errAt(off+vs, parse.ErrSyntax, "VCPUs entry %q: want \"<seconds>s\"", token(c, vs))
		}
		i++
		p.queue = append(p.queue, vcpuItem{uint32(idx), sec})
	}
	p.prev = prevVCPU
	p.kind = kindVCPU
	return len(p.queue), nil
}

// token is the token of b starting at i.
func token(b []byte, i int) []byte {
	j := i
	for j < len(b) && b[j] != ' ' {
		j++
	}
	return b[i:j]
}

// netLine reads "NetN RX: <n>bytes <n>pkts <n>err <n>drop  TX: ...".
func (p *Parser) netLine(c []byte, off int) (int, *lineError) {
	if p.cur == nil {
		return 0, errAt(-1, parse.ErrSyntax, "Net line without a domain row before it")
	}
	p.toks = fields(c, p.toks[:0])
	if len(p.toks) != 11 {
		return 0, errAt(off, parse.ErrSyntax, "Net line has %d fields, want 11 (NetN RX: 4 counters TX: 4 counters)", len(p.toks))
	}
	tok := func(i int) []byte { return c[p.toks[i].s:p.toks[i].e] }
	idx, ok := parseU32(tok(0)[3:])
	if !ok {
		return 0, errAt(off, parse.ErrSyntax, "bad interface %q", tok(0))
	}
	if string(tok(1)) != "RX:" || string(tok(6)) != "TX:" {
		return 0, errAt(off+p.toks[6].s, parse.ErrSyntax, "Net line: want RX: and TX:")
	}
	var v [8]uint64
	suffix := [4]string{"bytes", "pkts", "err", "drop"}
	for k := 0; k < 8; k++ {
		i := 2 + k
		if k >= 4 {
			i++
		}
		t, sfx := tok(i), suffix[k%4]
		if !bytes.HasSuffix(t, []byte(sfx)) {
			return 0, errAt(off+p.toks[i].s, parse.ErrSyntax, "Net field %q: want <n>%s", t, sfx)
		}
		if v[k], ok = decimal.Uint(t[:len(t)-len(sfx)]); !ok {
			return 0, errAt(off+p.toks[i].s, parse.ErrSyntax, "Net field %q: not an unsigned integer", t)
		}
	}
	p.net = schema.XentopNet{Host: p.opt.Host, Frame: p.frame, Time: p.frameTime, Name: p.cur.name, Net: idx,
		RxBytes: v[0], RxPkts: v[1], RxErr: v[2], RxDrop: v[3], TxBytes: v[4], TxPkts: v[5], TxErr: v[6], TxDrop: v[7]}
	p.kind = kindNet
	return 1, nil
}

// vbdLine reads "VBD [<kind>] <dev> [[<maj>:<min>]]  OO: n   RD: n   WR: n[   RSECT: n   WSECT: n]".
func (p *Parser) vbdLine(c []byte, off int) (int, *lineError) {
	if p.cur == nil {
		return 0, errAt(-1, parse.ErrSyntax, "VBD line without a domain row before it")
	}
	r := &p.vbd
	*r = schema.XentopVBD{}
	i := 3
	next := func() (int, int) { // next token from i
		i = skipSpaces(c, i)
		s := i
		for i < len(c) && c[i] != ' ' {
			i++
		}
		return s, i
	}
	s, e := next()
	if s < e && !isDigit(c[s]) && c[s] != '-' {
		if string(c[s:e]) != p.lastKind {
			p.lastKind = p.internKind(c[s:e])
		}
		r.Kind = p.lastKind
		s, e = next()
	}
	dev, ok := parseI64(c[s:e])
	if !ok {
		return 0, errAt(off+s, parse.ErrSyntax, "VBD device number %q is not an integer", c[s:e])
	}
	r.Dev = dev
	for i < len(c) && c[i] == ' ' {
		i++
	}
	if i < len(c) && c[i] == '[' { // "[%2x:%2x]"
		maj, j, ok1 := scanHex(c, skipSpaces(c, i+1))
		ok1 = ok1 && j < len(c) && c[j] == ':'
		var min uint32
		var ok2 bool
		if ok1 {
			min, j, ok2 = scanHex(c, skipSpaces(c, j+1))
			j = skipSpaces(c, j)
		}
		if !ok1 || !ok2 || j >= len(c) || c[j] != ']' {
			return 0, errAt(off+i, parse.ErrSyntax, "VBD device %q: want [major:minor] in hex", token(c, i))
		}
		r.Major, r.Minor = p.u32p(maj), p.u32p(min)
		i = j + 1
	}
	var seen uint8
	for {
		if i = skipSpaces(c, i); i == len(c) {
			break
		}
		ls := i
		var dst **uint64
		var bit uint8
		switch n := len(c) - i; {
		case n >= 3 && c[i+2] == ':' && c[i] == 'O' && c[i+1] == 'O':
			dst, bit, i = &r.OO, 1, i+3
		case n >= 3 && c[i+2] == ':' && c[i] == 'R' && c[i+1] == 'D':
			dst, bit, i = &r.Rd, 2, i+3
		case n >= 3 && c[i+2] == ':' && c[i] == 'W' && c[i+1] == 'R':
			dst, bit, i = &r.Wr, 4, i+3
		case n >= 6 && string(c[i:i+6]) == "RSECT:":
			dst, bit, i = &r.Rsect, 8, i+6
		case n >= 6 && string(c[i:i+6]) == "WSECT:":
			dst, bit, i = &r.Wsect, 16, i+6
		}
		if dst == nil || (i < len(c) && c[i] != ' ') {
			return 0, errAt(off+ls, parse.ErrSyntax, "unknown VBD field %q (known: OO: RD: WR: RSECT: WSECT:)", token(c, ls))
		}
		label := c[ls:i]
		if seen&bit != 0 {
			return 0, errAt(off+ls, parse.ErrSyntax, "VBD field %q twice", label)
		}
		seen |= bit
		if i = skipSpaces(c, i); i == len(c) {
			return 0, errAt(off+ls, parse.ErrSyntax, "VBD field %q without a value", label)
		}
		vs := i
		if *dst, i, ok = p.scanOptU64(c, i); !ok {
			return 0, errAt(off+vs, parse.ErrSyntax, "VBD %s %q is not an unsigned integer or -", label, token(c, vs))
		}
	}
	if seen&7 != 7 {
		return 0, errAt(len(c)+off, parse.ErrSyntax, "VBD line lacks OO:, RD: or WR:")
	}
	r.Host, r.Frame, r.Time, r.Name = p.opt.Host, p.frame, p.frameTime, p.cur.name
	p.kind = kindVBD
	return 1, nil
}

func parseI64(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	v, ok := decimal.Uint(b)
	if !ok || v > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// scanHex reads 1–8 hex digits at b[i:] and returns the index after them.
func scanHex(b []byte, i int) (uint32, int, bool) {
	s := i
	var n uint32
	for ; i < len(b) && i-s < 9; i++ {
		c := b[i]
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			d = c | 0x20 - 'a' + 10
		default:
			return n, i, i > s
		}
		n = n<<4 | uint32(d)
	}
	return n, i, i > s && i-s <= 8
}
