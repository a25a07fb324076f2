// Package fault holds the two errors a library returns when the fault is
// the caller's, not its own: a configuration that cannot run, and an input
// that cannot be read as it is. Commands tell them apart with errors.As
// (migreplay exits 2 on both) rather than by their text; libraries name
// them as their own (fitrun.UsageError = fault.Usage).
package fault

// Usage is a configuration that cannot run: a value out of range, a name
// not registered, a required setting missing.
type Usage struct{ Err error }

func (e *Usage) Error() string { return e.Err.Error() }
func (e *Usage) Unwrap() error { return e.Err }

// Input is an input that cannot be read as it is: a missing file or
// column, a trace a computation cannot take.
type Input struct{ Err error }

func (e *Input) Error() string { return e.Err.Error() }
func (e *Input) Unwrap() error { return e.Err }
