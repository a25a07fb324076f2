package fault

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

// Both unwrap to their cause and are found through wrapping.
func TestAs(t *testing.T) {
	err := fmt.Errorf("run: %w", &Input{io.ErrUnexpectedEOF})
	var in *Input
	var us *Usage
	if !errors.As(err, &in) || errors.As(err, &us) || !errors.Is(err, io.ErrUnexpectedEOF) || err.Error() != "run: unexpected EOF" {
		t.Errorf("%v", err)
	}
}
