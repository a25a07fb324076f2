package schema

import (
	"bytes"
	"runtime"
	"sync"
	"testing"
)

// The parsers' encoder slot is lent by one waiting parser at a time and
// comes back; files closed by several goroutines at once, each waiting
// for its worker with the slot lent or not, all finish (a lend that took
// an encoder's slot instead would leave that encoder unable to give its
// own back) and write the bytes of the same rows written alone.
func TestLendCore(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one P: no slot is kept for the parsers")
	}
	slots := encoderSlots()
	held := len(slots)
	if !lendCore() {
		t.Fatal("lendCore: the parsers' slot was not lent")
	}
	if lendCore() {
		t.Fatal("lendCore lent a second slot while the first is out")
	}
	if len(slots) != held-1 {
		t.Fatalf("%d slots taken while lent, want %d", len(slots), held-1)
	}
	unlendCore(true)
	if len(slots) != held {
		t.Fatalf("%d slots taken after the lend, want %d", len(slots), held)
	}

	rows := wideRows(3*batchRows+333, 5)
	want := writeWide(t, rows, -1)
	const files = 6
	outs := make([]bytes.Buffer, files)
	var wg sync.WaitGroup
	for i := range files {
		wg.Go(func() {
			b := &typedBuffer[wideRow, *wideRow]{}
			b.open(&outs[i], "test_wide", map[string]string{"z": "last", "a": "first"})
			if i%2 == 0 {
				b.Interleave()
			}
			for k := range rows {
				if err := b.Write(&rows[k]); err != nil {
					t.Error(err)
					return
				}
			}
			if err := b.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range outs {
		if !bytes.Equal(outs[i].Bytes(), want) {
			t.Errorf("file %d: %d bytes, want the %d written alone", i, outs[i].Len(), len(want))
		}
	}
	if len(slots) != held || coreLent.Load() {
		t.Errorf("after the files: %d slots taken (want %d), lent %v", len(slots), held, coreLent.Load())
	}
}
