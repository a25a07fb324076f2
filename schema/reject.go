package schema

// Reject is one input line that did not parse (lenient mode). Rejects are
// partitioned by the input file's host only when it is known; otherwise
// host=_unknown.
type Reject struct {
	File   string `parquet:"file,dict,zstd"`   // input path as given on the command line
	Line   int64  `parquet:"line,zstd"`        // 1-based line number
	Col    int64  `parquet:"col,zstd"`         // 1-based byte column, 0 when unknown
	Format string `parquet:"format,dict,zstd"` // parser that rejected it
	Reason string `parquet:"reason,zstd"`      // what is wrong, one line
	Raw    string `parquet:"raw,zstd"`         // the line as read (first 4096 bytes)
}

func (*Reject) TableName() string { return "rejects" }

var _ = Register[Reject]("Input lines that did not parse, with the reason (lenient mode).")
