package parse

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// Raw never cuts inside a character: 4095 ASCII bytes then "é" (2 bytes)
// keep 4095 bytes, not 4096 with half an é.
func TestRawCutsBetweenCharacters(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{strings.Repeat("a", MaxRawReject+10), MaxRawReject},
		{strings.Repeat("a", MaxRawReject-1) + "é" + "tail", MaxRawReject - 1},
		{strings.Repeat("a", MaxRawReject-2) + "😀" + "tail", MaxRawReject - 2}, // 4-byte character
		{strings.Repeat("a", MaxRawReject-1) + "\xff\xfe", MaxRawReject},       // invalid bytes: cut as bytes
		{"short é", len("short é")},
	} {
		got := Raw([]byte(tc.in))
		if len(got) != tc.want || !strings.HasPrefix(tc.in, got) {
			t.Errorf("len %d: kept %d bytes, want %d", len(tc.in), len(got), tc.want)
		}
		if utf8.ValidString(tc.in) && !utf8.ValidString(got) {
			t.Errorf("len %d: the cut made valid text invalid", len(tc.in))
		}
	}
}

func TestEscapeInvalid(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"plain":                      "plain",
		`back\slash \x41`:            `back\slash \x41`, // valid text is left alone
		"caf\xc3\xa9":                "café",
		"\xff":                       `\xff`,
		"a\xe9b":                     `a\xe9b`,
		"ok \xe2\x86":                `ok \xe2\x86`,
		"\xed\xa0\x80":               `\xed\xa0\x80`, // a UTF-8-encoded surrogate is not UTF-8
		"\xef\xbf\xbd is U+FFFD":     "\uFFFD is U+FFFD",
		"mixed \xff é \x80 \xc3\xa9": `mixed \xff é \x80 é`,
	} {
		got := EscapeInvalid(in)
		if got != want || !utf8.ValidString(got) {
			t.Errorf("EscapeInvalid(%q) = %q, want %q", in, got, want)
		}
	}
}

// Reject's string columns are valid UTF-8 and raw_bytes keeps the exact
// bytes of a line that is not (and is null for one that is).
func TestRejectIsValidUTF8(t *testing.T) {
	pe := &ParseError{File: "dir-\xe9/h.txt", Line: 3, Col: 2, Format: "sar",
		Err: Errorf(ErrSyntax, "%s is not a number", "1\xff"), Raw: "a\xffb"}
	r := Reject(pe)
	for _, s := range []string{r.File, r.Format, r.Reason, r.Raw} {
		if !utf8.ValidString(s) {
			t.Errorf("%q is not valid UTF-8", s)
		}
	}
	if r.File != `dir-\xe9/h.txt` || r.Raw != `a\xffb` || !bytes.Equal(r.RawBytes, []byte("a\xffb")) {
		t.Errorf("file %q raw %q raw_bytes %q", r.File, r.Raw, r.RawBytes)
	}
	if r.Reason != `syntax error: 1\xff is not a number` || r.Line != 3 || r.Col != 2 {
		t.Errorf("reason %q line %d col %d", r.Reason, r.Line, r.Col)
	}
	pe.Raw = "plain é"
	if r := Reject(pe); r.Raw != "plain é" || r.RawBytes != nil {
		t.Errorf("valid raw: %q, raw_bytes %q", r.Raw, r.RawBytes)
	}
	if !errors.Is(pe, ErrSyntax) {
		t.Error("ParseError does not unwrap to its sentinel")
	}
}

// Options.Reject: strict mode leaves the line to stop the run (false, not
// counted); lenient mode counts it and hands it to OnReject (true), with
// or without an OnReject.
func TestOptionsReject(t *testing.T) {
	pe := &ParseError{File: "f", Line: 3, Col: 1, Err: ErrSyntax}
	var st Stats
	if (&Options{}).Reject(&st, pe) || st.Reject != 0 {
		t.Errorf("strict: went on or counted (%d)", st.Reject)
	}
	var got []*ParseError
	o := &Options{Lenient: true, OnReject: func(e *ParseError) { got = append(got, e) }}
	if !o.Reject(&st, pe) || st.Reject != 1 || len(got) != 1 || got[0] != pe {
		t.Errorf("lenient: %d rejects counted, %d reported", st.Reject, len(got))
	}
	if !(&Options{Lenient: true}).Reject(&st, pe) || st.Reject != 2 {
		t.Errorf("lenient without OnReject: %d rejects counted", st.Reject)
	}
}
