package schema

// Reject is one input line that did not parse (lenient mode). The rejects
// table is not partitioned: table=rejects/part-<hash>.parquet.
type Reject struct {
	File   string `parquet:"file,dict,zstd" doc:"input path as given on the command line"`
	Line   int64  `parquet:"line,delta,zstd" doc:"1-based line number"`
	Col    int64  `parquet:"col,zstd" doc:"1-based byte column of the fault, 0 when unknown"`
	Format string `parquet:"format,dict,zstd" doc:"parser that rejected the line"`
	Reason string `parquet:"reason,zstd" doc:"what is wrong, one line"`
	Raw    string `parquet:"raw,zstd" doc:"the line as read (first 4096 bytes)"`
}

func (*Reject) TableName() string { return "rejects" }

var _ = Register[Reject]("Input lines that did not parse, with the reason (lenient mode).")
