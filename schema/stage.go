package schema

// Staging. Once the batch of a file written in turn with others
// (FileWriter.Interleave) is whole (batchRows rows of room), Write fills a
// small batch of its own, the stage, and moves the stage's rows
// into the batch, a column at a time, each time the stage fills (or the
// batch would), and before anything else reads the batch (a handoff, a
// Spill, an Unspill). The rows, their order and the points where batches
// are handed to the encoder stay the same, and so do the bytes written.
//
// Why: filling a row writes a word (and a presence flag) into every column
// of the batch, a few dozen places a row. Spread over a whole batch (573
// KB for sar_cpu), and over 16 such batches when a source's hosts
// alternate, those writes cost the parser more than the same rows written
// into a stage that stays in its core's cache and then copied a column at
// a time. On 16 hosts' sadf -d CPU rows interleaved by time (110 MB, one
// thread, the rows dropped after being buffered, 3 rounds, 2026-12-05):
// 0.70-0.77 s staged against 0.80-0.93 s filled in place; with the rows
// encoded, 0.80 s against 0.85 s (medians of 7 alternating runs, two
// threads). A file filled alone gains nothing from it and pays the copy:
// one host's sadf -d CPU rows took 654 ms staged against 636 ms (medians
// of 11), hence Interleave, which ingest's router calls on the files of a
// source that switches partitions within BatchRows rows.
//
// A stage costs stageRows rows (72 KB for sar_cpu) a file whose batch is
// whole; a file gives it back when it commits a row group (Flush, Close)
// and so holds none while flushed, however many files a source has open.
const stageRows = 512

// getStage is an empty stage, from the pool when it has one.
func (l *layout) getStage() *colBatch {
	if st, ok := l.stages.Get().(*colBatch); ok {
		return st
	}
	return l.newBatch(stageRows)
}

// putStage empties st and gives it to the pool.
func (l *layout) putStage(st *colBatch) {
	if st != nil {
		st.reset()
		l.stages.Put(st)
	}
}

// unstage moves the stage's rows to the end of the batch, which has room
// for them.
func (b *typedBuffer[T, P]) unstage() {
	if s := b.stage; s != nil && s.n > 0 {
		b.batch.copyFrom(s)
		s.reset()
	}
}

// Interleave implements FileWriter.
func (b *typedBuffer[T, P]) Interleave() { b.staged = true }
